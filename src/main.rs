fn main() -> std::process::ExitCode {
    hybridplan::cli::main()
}
