#!/usr/bin/env bash
# Builds the Dokkaa PowerShell module:
#   out/Dokkaa/<version>/      the installable module folder (Import-Module it, or copy it into $env:PSModulePath)
#   out/Dokkaa.<version>.nupkg the PowerShell Gallery package of that folder (Publish-Module / Install-Module)
# <version> is the one <DokkaaVersion> of Directory.Build.props; Dokkaa.psd1 must say the same.
# Help: docs/cmdlets/*.md (platyPS markdown) become en-US/Dokkaa.PowerShell.dll-Help.xml (MAML, what
# Get-Help reads) and en-US/about_Dokkaa.help.txt.
#
# usage: scripts/build-module.sh [--out DIR] [--configuration Release|Debug]
# Needs only the .NET SDK. Builds in DIR/obj (its own bin/obj), so it never touches the outputs a
# running `dotnet test` has loaded.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out="$root/out"
configuration=Release
while [[ $# -gt 0 ]]; do
    case "$1" in
        --out) out=$2; shift 2 ;;
        --configuration|-c) configuration=$2; shift 2 ;;
        -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "build-module.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
log() { printf '[build-module] %s\n' "$*" >&2; }
die() { printf 'build-module.sh: %s\n' "$*" >&2; exit 1; }

# The version: exactly one <DokkaaVersion> in Directory.Build.props.
mapfile -t versions < <(sed -n 's:.*<DokkaaVersion>\(.*\)</DokkaaVersion>.*:\1:p' "$root/Directory.Build.props")
[[ ${#versions[@]} -eq 1 && -n "${versions[0]}" ]] || die "expected one <DokkaaVersion> in Directory.Build.props, found ${#versions[@]}"
version=${versions[0]}
manifest_version=$(sed -n "s/^[[:space:]]*ModuleVersion[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$root/Dokkaa.psd1")
[[ "$manifest_version" == "$version" ]] || die "Dokkaa.psd1 has ModuleVersion '$manifest_version' but Directory.Build.props says '$version': update Dokkaa.psd1"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
artifacts="$out/obj"
stage="$out/obj/publish"
module="$out/Dokkaa/$version"

log "Building Dokkaa.PowerShell $version ($configuration)"
rm -rf "$stage"
dotnet publish "$root/src/Dokkaa.PowerShell/Dokkaa.PowerShell.csproj" -c "$configuration" \
    --artifacts-path "$artifacts" -o "$stage" -nologo -v quiet >&2

log "Assembling $module"
rm -rf "$module"
mkdir -p "$module/en-US"
cp "$root/Dokkaa.psd1" "$module/"
for file in Dokkaa.PowerShell.dll Dokkaa.Core.dll Dokkaa.Format.ps1xml; do
    [[ -f "$stage/$file" ]] || die "$file is missing from the publish output"
    cp "$stage/$file" "$module/"
done
[[ ! -e "$stage/System.Management.Automation.dll" ]] || die "System.Management.Automation.dll must not ship (pwsh brings its own)"
# Dokkaa.Core holds the types scripts use ([Dokkaa.Core.Manifests.Manifest]), so it loads into pwsh's
# default context with the cmdlets. Every other assembly (Dokkaa.Etcd and the libraries under it: dotnet-etcd,
# gRPC, protobuf, the Microsoft.Extensions they need) goes
# to Dependencies/, which pwsh never probes: the module loads those into an AssemblyLoadContext of its own
# (src/Dokkaa.PowerShell/Runtime/ModuleAssemblyResolver.cs), so another module's copy of the same library,
# in another version, does not clash with Dokkaa's.
while IFS= read -r -d '' dll; do
    mkdir -p "$module/Dependencies"
    cp "$dll" "$module/Dependencies/"
done < <(find "$stage" -maxdepth 1 -name '*.dll' ! -name Dokkaa.PowerShell.dll ! -name Dokkaa.Core.dll -print0)
[[ -f "$module/Dependencies/Dokkaa.Etcd.dll" ]] || die "Dokkaa.Etcd.dll is missing from the publish output"
[[ ! -d "$stage/runtimes" ]] || die "the publish output has native runtimes/, which Dependencies/ does not carry"

log "Building help from docs/cmdlets"
dotnet run --project "$root/packaging/HelpBuilder/HelpBuilder.csproj" -c "$configuration" \
    --artifacts-path "$artifacts" -- "$root/docs/cmdlets" Dokkaa Dokkaa.PowerShell.dll "$module/en-US" >&2

log "Writing updatable help into $out/help"
guid=$(sed -n "s/^[[:space:]]*GUID[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$root/Dokkaa.psd1")
help_uri=$(sed -n "s/^[[:space:]]*HelpInfoURI[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" "$root/Dokkaa.psd1")
[[ -n "$guid" && -n "$help_uri" ]] || die "Dokkaa.psd1 needs a GUID and a HelpInfoURI"
rm -rf "$out/help"
mkdir -p "$out/help"
(cd "$module/en-US" && python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sorted(os.listdir(".")): z.write(f)' "$out/help/Dokkaa_${guid}_en-US_HelpContent.zip")
cat >"$out/help/Dokkaa_${guid}_HelpInfo.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<HelpInfo xmlns="http://schemas.microsoft.com/powershell/help/2010/05">
  <HelpContentURI>$help_uri</HelpContentURI>
  <SupportedUICultures>
    <UICulture>
      <UICultureName>en-US</UICultureName>
      <UICultureVersion>$version.0</UICultureVersion>
    </UICulture>
  </SupportedUICultures>
</HelpInfo>
XML

log "Packing the PowerShell Gallery package"
rm -f "$out/Dokkaa.$version.nupkg"
dotnet pack "$root/packaging/Dokkaa.Module.csproj" -c "$configuration" --artifacts-path "$artifacts" \
    -o "$out" -p:ModuleDir="$module/" -nologo -v quiet >&2
nupkg="$out/Dokkaa.$version.nupkg"
[[ -f "$nupkg" ]] || die "dotnet pack did not produce $nupkg"

echo "$module"
echo "$nupkg"
