#!/usr/bin/env bash
# Makes the key pair with which officials' document links are signed (docs/uploads.md,
# "Downloads through CloudFront"): an RSA 2048 key made here with openssl, its private half
# stored as the SSM SecureString parameter /ovop/<stage>/downloads/private-key (encrypted with
# the account's aws/ssm key; the uploads function reads it once per cold start), its public half
# printed with the `sam deploy` parameter override that gives it to CloudFront.
#
# Usage: scripts/cloudfront-keys.sh [-f] STAGE
#   STAGE   the stack's Stage parameter (prod, staging, ...)
#   -f      replace an existing private key (rotation: see README, "Deploying on AWS", section 3)
#   Region from AWS_REGION (default ap-southeast-3). Needs openssl and the AWS CLI.
#
# The private key never reaches the terminal, the shell's history or a file outside a private
# temporary folder (removed on exit): put-parameter reads it from that file.
set -euo pipefail

usage() {
  sed -n '/^# Usage:/,/^#   Region/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

overwrite=()
while getopts fh opt; do
  case $opt in
    f) overwrite=(--overwrite) ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || usage
stage=$1
[[ $stage =~ ^[a-z0-9-]{2,16}$ ]] || { echo "cloudfront-keys: not a stage name: $stage" >&2; exit 2; }
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-ap-southeast-3}}
parameter="/ovop/${stage}/downloads/private-key"

command -v openssl >/dev/null || { echo "cloudfront-keys: openssl is not installed" >&2; exit 1; }
command -v aws >/dev/null || { echo "cloudfront-keys: the AWS CLI is not installed" >&2; exit 1; }

if [ ${#overwrite[@]} -eq 0 ] \
  && aws ssm get-parameter --region "$region" --name "$parameter" --query Parameter.Name --output text >/dev/null 2>&1; then
  echo "cloudfront-keys: $parameter already exists in $region." >&2
  echo "  The stack's DownloadsPublicKey must be its public half. To rotate, see the README" >&2
  echo "  (section 3: deploy with DownloadsPublicKey empty first), then run again with -f." >&2
  exit 1
fi

umask 077
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# PKCS#8 PEM ("BEGIN PRIVATE KEY"), the form the uploads function reads (PKCS#1 works too).
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/private.pem" 2>/dev/null
openssl pkey -in "$work/private.pem" -pubout -out "$work/public.pem"

aws ssm put-parameter --region "$region" --name "$parameter" --type SecureString \
  --description "CloudFront signing key of OVOP ${stage}'s document links (scripts/cloudfront-keys.sh)" \
  --value "file://$work/private.pem" ${overwrite[@]+"${overwrite[@]}"} --output text >/dev/null
echo "Stored the private key as SecureString $parameter ($region)."
echo

echo "Public key (CloudFront keeps it; nothing secret):"
cat "$work/public.pem"
echo

# The PEM body's lines joined by commas: one word with no spaces or newlines, which the
# template turns back into the PEM (infra/template.yaml, DownloadsSigningKey).
body=$(sed '/^-----/d' "$work/public.pem" | paste -sd, -)
echo "Add to parameter_overrides in samconfig.toml (or to sam deploy --parameter-overrides):"
echo
echo "  DownloadsPublicKey=\"$body\""
echo
echo "then: sam deploy --region $region"
