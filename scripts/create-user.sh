#!/usr/bin/env bash
# Creates an account in the stack's user pool: Cognito e-mails the invitation (user name = the
# e-mail address, a temporary password valid 7 days); the user joins their role group and, for
# a regency/city or province office, their region group `region-PP.KK` / `region-PP` (created
# here first if missing). Roles and regions are groups only (docs/sign-in.md). Running it again
# for an existing account adds the missing group memberships and nothing else.
#
# Usage: scripts/create-user.sh [-s STACK] EMAIL "FULL NAME" ROLE [REGION]
#   ROLE pengusul     REGION = regency/city code PP.KK (e.g. 33.26, Kabupaten Pekalongan)
#        provinsi     REGION = province code PP (e.g. 33, Jawa Tengah)
#        verifikator | penilai | admin   no REGION
#   -s STACK   default ovop-prod. Region from AWS_REGION (default ap-southeast-3).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  sed -n '/^# Usage:/,/^#   -s/p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

stack=ovop-prod
while getopts s:h opt; do
  case $opt in
    s) stack=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 3 ] || [ $# -eq 4 ] || usage
email=$(printf '%s' "$1" | tr '[:upper:]' '[:lower:]')
name=$2 role=$3 region_code=${4:-}
aws_region=${AWS_REGION:-${AWS_DEFAULT_REGION:-ap-southeast-3}}
data=functions/core/data

fail() { echo "create-user: $*" >&2; exit 1; }

[[ $email =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] || fail "not an e-mail address: $1"
[ -n "${name// /}" ] || fail "the full name is empty"

# The region group and its description, from the Kemendagri codes the app uses.
region_group="" region_name=""
case $role in
  pengusul)
    [[ $region_code =~ ^[0-9]{2}\.[0-9]{2}$ ]] \
      || fail "pengusul needs a regency/city code PP.KK (e.g. 33.26), not '${region_code}'"
    region_name=$(awk -F, -v c="$region_code" '$1 == c { print $3 }' "$data/regencies.csv")
    [ -n "$region_name" ] || fail "no regency/city has the code $region_code ($data/regencies.csv)"
    ;;
  provinsi)
    [[ $region_code =~ ^[0-9]{2}$ ]] \
      || fail "provinsi needs a province code PP (e.g. 33), not '${region_code}'"
    region_name=$(awk -F, -v c="$region_code" '$1 == c { print $2 }' "$data/provinces.csv")
    [ -n "$region_name" ] || fail "no province has the code $region_code ($data/provinces.csv)"
    ;;
  verifikator | penilai | admin)
    [ -z "$region_code" ] || fail "$role takes no region"
    ;;
  *) fail "unknown role '$role' (pengusul, provinsi, verifikator, penilai, admin)" ;;
esac
[ -z "$region_code" ] || region_group="region-$region_code"

output() {
  aws cloudformation describe-stacks --region "$aws_region" --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue | [0]" --output text
}
idp() { aws cognito-idp --region "$aws_region" "$@"; }

pool=$(output UserPoolId)
[ -n "$pool" ] && [ "$pool" != None ] || fail "stack $stack has no UserPoolId output"

if idp admin-get-user --user-pool-id "$pool" --username "$email" >/dev/null 2>&1; then
  echo "$email already has an account; checking its groups"
  # One role and at most one region per account: refuse a second one rather than add it.
  current=$(idp admin-list-groups-for-user --user-pool-id "$pool" --username "$email" \
    --query 'Groups[].GroupName' --output text)
  for group in $current; do
    case $group in
      pengusul | provinsi | verifikator | penilai | admin)
        [ "$group" = "$role" ] || fail "$email already has the role $group; remove it first:
  aws cognito-idp admin-remove-user-from-group --region $aws_region --user-pool-id $pool --username $email --group-name $group" ;;
      region-*)
        [ "$group" = "$region_group" ] || fail "$email already belongs to $group; remove it first:
  aws cognito-idp admin-remove-user-from-group --region $aws_region --user-pool-id $pool --username $email --group-name $group" ;;
    esac
  done
else
  idp admin-create-user --user-pool-id "$pool" --username "$email" \
    --user-attributes Name=email,Value="$email" Name=email_verified,Value=true Name=name,Value="$name" \
    --desired-delivery-mediums EMAIL --query 'User.UserStatus' --output text >/dev/null
  echo "created $email; Cognito e-mails the invitation"
fi

idp admin-add-user-to-group --user-pool-id "$pool" --username "$email" --group-name "$role"
echo "  role group: $role"
if [ -n "$region_group" ]; then
  if ! idp get-group --user-pool-id "$pool" --group-name "$region_group" >/dev/null 2>&1; then
    idp create-group --user-pool-id "$pool" --group-name "$region_group" \
      --description "$region_name ($region_code)" >/dev/null
    echo "  created the group $region_group ($region_name)"
  fi
  idp admin-add-user-to-group --user-pool-id "$pool" --username "$email" --group-name "$region_group"
  echo "  region group: $region_group ($region_name)"
fi
