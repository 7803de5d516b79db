#!/usr/bin/env bash
# Publishes the web app to a deployed stack:
#  1. builds it (scripts/build-spa.sh: content-hashed asset names, no inline script);
#  2. writes config.json (docs/sign-in.md) from the stack's outputs;
#  3. uploads every file with its Cache-Control — content-hashed names (`name-<10 hex>.ext`)
#     "public, max-age=31536000, immutable", everything else (index.html, config.json) "no-cache"
#     (revalidated on every load) — assets first, index.html last, so that a page loaded
#     mid-upload never names a file that is not there yet;
#  4. invalidates CloudFront's copies of the files whose names do not change.
# Files of earlier builds are kept: a page loaded before the deploy may still fetch them.
#
# Usage: scripts/deploy-spa.sh [stack-name]   (default ovop-prod)
# Needs the AWS CLI v2 and credentials; region from AWS_REGION (default ap-southeast-3).
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-ovop-prod}
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-ap-southeast-3}}
dist=frontend/dist

output() {
  local value
  value=$(aws cloudformation describe-stacks --region "$region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text)
  if [ -z "$value" ] || [ "$value" = None ]; then
    echo "stack $stack has no output $1 (deploy the current template first)" >&2
    exit 1
  fi
  printf '%s' "$value"
}

bucket=$(output SiteBucketName)
distribution=$(output DistributionId)
issuer=$(output Issuer)
client_id=$(output UserPoolClientId)
auth_domain=$(output AuthDomain)
redirect_uri=$(output AuthRedirectUri)
post_logout=$(output AuthPostLogoutRedirectUri)

scripts/setup.sh app
scripts/build-spa.sh

cat >"$dist/config.json" <<JSON
{
  "issuer": "$issuer",
  "client_id": "$client_id",
  "redirect_uri": "$redirect_uri",
  "logout_url": "https://$auth_domain/logout",
  "post_logout_redirect_uri": "$post_logout",
  "scopes": "openid email profile"
}
JSON

content_type() {
  case "$1" in
    *.html) echo "text/html; charset=utf-8" ;;
    *.js) echo "text/javascript; charset=utf-8" ;;
    *.wasm) echo "application/wasm" ;;
    *.css) echo "text/css; charset=utf-8" ;;
    *.json) echo "application/json" ;;
    *.svg) echo "image/svg+xml" ;;
    *.png) echo "image/png" ;;
    *.ico) echo "image/x-icon" ;;
    *.woff2) echo "font/woff2" ;;
    *.txt) echo "text/plain; charset=utf-8" ;;
    *) echo "application/octet-stream" ;;
  esac
}

upload() { # file key cache-control
  aws s3 cp --region "$region" --only-show-errors "$1" "s3://$bucket/$2" \
    --content-type "$(content_type "$2")" --cache-control "$3"
}

hashed=() plain=()
while IFS= read -r -d '' file; do
  key=${file#"$dist"/}
  if [[ $key =~ -[0-9a-f]{10}\.[A-Za-z0-9]+$ ]]; then hashed+=("$key"); else plain+=("$key"); fi
done < <(find "$dist" -type f -print0 | sort -z)

for key in "${hashed[@]}"; do
  upload "$dist/$key" "$key" "public, max-age=31536000, immutable"
done
paths=("/")
for key in "${plain[@]}"; do
  [ "$key" = index.html ] && continue
  upload "$dist/$key" "$key" "no-cache"
  paths+=("/$key")
done
upload "$dist/index.html" index.html "no-cache"
paths+=("/index.html")
echo "uploaded ${#hashed[@]} content-hashed file(s) (immutable) and ${#plain[@]} other(s) (no-cache)"

aws cloudfront create-invalidation --distribution-id "$distribution" --paths "${paths[@]}" \
  --query Invalidation.Id --output text >/dev/null
echo "SPA deployed to $(output SiteUrl)"
