#!/bin/sh
# Regenerates the shipped public books from the providers' price files (in the published
# formats, tests/fixtures/pricing-import/) over the bases in this folder. Run from the
# repository root: sh pricing/base/regenerate.sh [path to hybridplan]
set -eu
bin=${1:-target/release/hybridplan}
f=tests/fixtures/pricing-import
for region in us-east-1 us-east-2 us-west-2; do
  "$bin" pricing import aws "$f/aws/AmazonEC2-us.csv" "$f/aws/spot-advisor-data-2025-06-28.json" --region "$region" --base pricing/base/aws.toml \
    --name "AWS $region (Linux; Windows uplift; reserved, savings plan; spot)" \
    --note "Spot Instance Advisor data as published on 2025-06-28 (the copy embedded in github.com/alexei-led/spotinfo, excerpt)." --out "pricing/aws-$region.toml"
done
for region in eastus eastus2 westus2; do
  case $region in eastus) label="East US" ;; eastus2) label="East US 2" ;; westus2) label="West US 2" ;; esac
  "$bin" pricing import azure "$f"/azure/retail-prices-vm-page-*.json "$f"/azure/retail-prices-licenses-page-1.json --region "$region" --base pricing/base/azure.toml \
    --name "Azure $label pay-as-you-go (Linux; Windows uplift; spot)" \
    --note "Spot meters typed into the pages from OpenCost's Azure spot rates (April 2019): 0.007764 per vCPU-hour + 0.000382 per GiB-hour." \
    --note "SQL Server licence meters typed into the licences page from Microsoft's pay-as-you-go per-core rates (https://azure.microsoft.com/pricing/details/virtual-machines/sql-server-standard/, .../sql-server-enterprise/): Standard 0.10 and Enterprise 0.375 per vCPU-hour, 4-vCPU minimum." --out "pricing/azure-$region.toml"
done
for region in us-central1 us-east1 us-west1; do
  "$bin" pricing import gcp "$f/gcp/compute-engine-skus.json" --region "$region" --base pricing/base/gcp.toml \
    --name "GCP $region on-demand (Linux)" --out "pricing/gcp-$region.toml"
done
