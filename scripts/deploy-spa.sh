#!/usr/bin/env bash
# Builds the SPA and uploads it to the stack's site bucket, then invalidates CloudFront.
# Usage: scripts/deploy-spa.sh [stack-name]   (default: ovop-prod; needs the AWS CLI and credentials)
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-ovop-prod}
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
scripts/setup.sh app
scripts/build-spa.sh
bucket=$(output SiteBucketName)
distribution=$(output DistributionId)
# Hashed assets could be cached forever; index.html must always be revalidated.
aws s3 sync frontend/dist "s3://$bucket/" --delete --exclude index.html \
  --cache-control "public, max-age=3600"
aws s3 cp frontend/dist/pkg/ovop_bg.wasm "s3://$bucket/pkg/ovop_bg.wasm" \
  --content-type application/wasm --cache-control "public, max-age=3600"
aws s3 cp frontend/dist/index.html "s3://$bucket/index.html" \
  --content-type text/html --cache-control "no-cache"
aws cloudfront create-invalidation --distribution-id "$distribution" --paths "/index.html" "/pkg/*" >/dev/null
echo "SPA deployed to $(output SiteUrl)"
