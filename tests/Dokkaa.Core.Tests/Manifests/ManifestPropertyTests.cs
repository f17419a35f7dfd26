using Dokkaa.Core.Manifests;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>
/// Properties over generated input. The agent parses whatever someone wrote into etcd, so the parser must
/// never fail with anything but <see cref="ManifestValidationException"/>, and whatever it accepts must
/// survive the canonical round trip.
/// </summary>
public sealed class ManifestPropertyTests
{
    private static readonly Config Config = Config.QuickThrowOnFailure.WithMaxTest(1000);

    [Fact]
    public void ArbitraryStringsOnlyEverFailValidation() =>
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), ParsesOrFailsValidation));

    [Fact]
    public void ArbitraryUnicodeStringsOnlyEverFailValidation() =>
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<UnicodeString>(), s => ParsesOrFailsValidation(s.Item)));

    [Fact]
    public void TextMutationsOfAValidManifestOnlyEverFailValidation() =>
        Check.One(Config, Prop.ForAll(ManifestGenerators.TextMutation(SeedManifests.Full).ToArbitrary(), ParsesOrFailsValidation));

    [Fact]
    public void StructuralMutationsOfAValidManifestOnlyEverFailValidation() =>
        Check.One(Config, Prop.ForAll(ManifestGenerators.StructuralMutation(SeedManifests.Full).ToArbitrary(), ParsesOrFailsValidation));

    [Fact]
    public void GeneratedManifestsRoundTripThroughCanonicalJson() =>
        Check.One(Config, Prop.ForAll(ManifestGenerators.ValidManifest().ToArbitrary(), manifest =>
        {
            var canonical = ManifestSerializer.ToCanonicalJson(manifest);
            var reparsed = ManifestParser.Parse(canonical);
            return reparsed.Equals(manifest)
                && ManifestSerializer.ToCanonicalJson(reparsed) == canonical
                && ManifestParser.Parse(ManifestSerializer.ToJson(manifest, indented: true)).Equals(manifest);
        }));

    [Fact]
    public void KeyOrderNeverChangesTheHash() =>
        Check.One(Config, Prop.ForAll(ManifestGenerators.ShuffledKeys(SeedManifests.Full).ToArbitrary(), json =>
            ManifestSerializer.Hash(ManifestParser.Parse(json)) == ManifestSerializer.Hash(ManifestParser.Parse(SeedManifests.Full))));

    [Fact]
    public void ArbitraryNamesEitherValidateOrThrowTheNameException() =>
        Check.One(Config, Prop.ForAll(ArbMap.Default.ArbFor<string>(), name =>
        {
            var valid = ResourceNames.IsValidName(name, out var reason);
            try
            {
                ResourceNames.ValidateName(name);
                return valid && reason is null;
            }
            catch (InvalidResourceNameException)
            {
                return !valid && reason is not null;
            }
        }));

    /// <summary>True when parsing gives a manifest or a validation error that lists at least one error.</summary>
    private static bool ParsesOrFailsValidation(string json)
    {
        var tried = ManifestParser.TryParse(json, out var manifest, out var errors);
        try
        {
            var parsed = ManifestParser.Parse(json);
            return tried && manifest is not null && errors.Count == 0
                && ManifestParser.Parse(ManifestSerializer.ToCanonicalJson(parsed)).Equals(parsed);
        }
        catch (ManifestValidationException e)
        {
            return !tried && e.Errors.Count > 0 && e.Errors.SequenceEqual(errors)
                && e.Errors.All(error => error.Path.StartsWith('$') && error.Message.Length > 0);
        }
    }
}
