#!/usr/bin/env bash
# Deletes a deployment for good, data included: empties the site and public buckets (the stack
# cannot delete a bucket with objects in it), deletes the stack, then the resources the stack
# keeps on purpose — the DynamoDB table (after turning its deletion protection off), the
# uploads bucket (every object version and delete marker), the user pool (after turning its
# deletion protection off) — and the stage's log groups. Runs again safely after a partial run,
# also once the stack is gone (give the stage then).
#
# Usage: scripts/teardown.sh [--yes] [--sam-bucket] STACK [STAGE]
#   STAGE        the stack's Stage parameter; read from the stack while it exists
#   --yes        do not ask for the stack name as confirmation
#   --sam-bucket also delete SAM's artifact bucket and its stack (aws-sam-cli-managed-default),
#                which every SAM app of this account and region shares
# Region from AWS_REGION (default ap-southeast-3). Not touched: the SES identity and the ACM
# certificates (made outside the stack), DNS records, the DynamoDB system backup of the deleted
# table (kept 35 days by AWS when point-in-time recovery was on).
set -euo pipefail

yes=false sam_bucket=false
while [ $# -gt 0 ]; do
  case $1 in
    --yes) yes=true; shift ;;
    --sam-bucket) sam_bucket=true; shift ;;
    -*) sed -n '/^# Usage:/,/^# Region/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || { sed -n '/^# Usage:/,/^# Region/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
stack=$1 stage=${2:-}
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-ap-southeast-3}}
export AWS_REGION=$region AWS_DEFAULT_REGION=$region
say() { printf '\033[1m[teardown]\033[0m %s\n' "$*"; }

account=$(aws sts get-caller-identity --query Account --output text)
stack_exists=false
if aws cloudformation describe-stacks --stack-name "$stack" >/dev/null 2>&1; then
  stack_exists=true
  stack_stage=$(aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Parameters[?ParameterKey=='Stage'].ParameterValue | [0]" --output text)
  [ -z "$stage" ] || [ "$stage" = "$stack_stage" ] || { echo "stack $stack has Stage $stack_stage, not $stage" >&2; exit 1; }
  stage=$stack_stage
fi
[ -n "$stage" ] || { echo "stack $stack does not exist: give its STAGE to remove what is left" >&2; exit 1; }

# Names as the template gives them (infra/template.yaml).
table="ovop-$stage"
uploads="ovop-$stage-uploads-$account"
site="ovop-$stage-site-$account"
public="ovop-$stage-public-$account"
pool_name="ovop-$stage"

if ! $yes; then
  echo "This deletes stack $stack (stage $stage, account $account, $region) and ALL its data:"
  echo "  table $table, buckets $uploads $site $public, user pool $pool_name and every account in it."
  read -r -p "Type the stack name to go on: " answer
  [ "$answer" = "$stack" ] || { echo "not confirmed"; exit 1; }
fi

# Deletes every object version and delete marker, then the bucket.
delete_bucket() {
  local bucket=$1 n
  if ! aws s3api head-bucket --bucket "$bucket" >/dev/null 2>&1; then
    say "bucket $bucket: not there"
    return 0
  fi
  say "emptying bucket $bucket (all versions)"
  while :; do
    n=$(aws s3api list-object-versions --bucket "$bucket" --max-items 500 \
      --query 'length([Versions[], DeleteMarkers[]][])' --output text)
    [ "$n" = 0 ] && break
    aws s3api delete-objects --bucket "$bucket" --delete "$(aws s3api list-object-versions \
      --bucket "$bucket" --max-items 500 --output json \
      --query '{Objects: [Versions[], DeleteMarkers[]][].{Key: Key, VersionId: VersionId}, Quiet: `true`}')" >/dev/null
  done
  if [ "${2:-}" != keep ]; then
    aws s3api delete-bucket --bucket "$bucket"
    say "bucket $bucket: deleted"
  fi
}

if $stack_exists; then
  # The stack deletes these two itself, but only once they are empty.
  delete_bucket "$site" keep
  delete_bucket "$public" keep
  say "deleting stack $stack (CloudFront takes a while)"
  aws cloudformation delete-stack --stack-name "$stack"
  aws cloudformation wait stack-delete-complete --stack-name "$stack"
  say "stack $stack: deleted"
fi
delete_bucket "$site"
delete_bucket "$public"
delete_bucket "$uploads"

if aws dynamodb describe-table --table-name "$table" >/dev/null 2>&1; then
  say "table $table: turning deletion protection off, deleting"
  aws dynamodb update-table --table-name "$table" --no-deletion-protection-enabled >/dev/null
  aws dynamodb wait table-exists --table-name "$table"
  aws dynamodb delete-table --table-name "$table" >/dev/null
  aws dynamodb wait table-not-exists --table-name "$table"
  say "table $table: deleted"
else
  say "table $table: not there"
fi

pools=$(aws cognito-idp list-user-pools --max-results 60 \
  --query "UserPools[?Name=='$pool_name'].Id" --output text)
for pool in $pools; do
  say "user pool $pool ($pool_name): turning deletion protection off, deleting"
  # A domain left behind (the stack normally deletes it) would block the deletion.
  for domain in $(aws cognito-idp describe-user-pool --user-pool-id "$pool" \
      --query '[UserPool.Domain, UserPool.CustomDomain]' --output text); do
    [ "$domain" = None ] || aws cognito-idp delete-user-pool-domain --user-pool-id "$pool" --domain "$domain"
  done
  # UpdateUserPool resets what it is not given; keep the MFA mode, which it may not change.
  mfa=$(aws cognito-idp describe-user-pool --user-pool-id "$pool" \
    --query UserPool.MfaConfiguration --output text)
  aws cognito-idp update-user-pool --user-pool-id "$pool" --deletion-protection INACTIVE \
    --mfa-configuration "$mfa" --auto-verified-attributes email
  aws cognito-idp delete-user-pool --user-pool-id "$pool"
  say "user pool $pool: deleted"
done
[ -n "$pools" ] || say "user pool $pool_name: not there"

for prefix in "/aws/lambda/ovop-$stage-" "/aws/apigateway/ovop-$stage-"; do
  for group in $(aws logs describe-log-groups --log-group-name-prefix "$prefix" \
      --query 'logGroups[].logGroupName' --output text); do
    aws logs delete-log-group --log-group-name "$group"
    say "log group $group: deleted"
  done
done

if $sam_bucket && aws cloudformation describe-stacks --stack-name aws-sam-cli-managed-default >/dev/null 2>&1; then
  bucket=$(aws cloudformation describe-stacks --stack-name aws-sam-cli-managed-default \
    --query "Stacks[0].Outputs[?OutputKey=='SourceBucket'].OutputValue | [0]" --output text)
  delete_bucket "$bucket" keep
  aws cloudformation delete-stack --stack-name aws-sam-cli-managed-default
  aws cloudformation wait stack-delete-complete --stack-name aws-sam-cli-managed-default
  say "SAM artifact bucket $bucket and its stack: deleted"
fi
say "done"
