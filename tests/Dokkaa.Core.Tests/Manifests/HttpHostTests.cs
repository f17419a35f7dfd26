using System.Text.Json;
using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

/// <summary>
/// <c>http.host</c> goes into nginx's <c>server_name</c>: anything that could end a directive, open a
/// block, expand a variable or split a line must be refused.
/// </summary>
public sealed class HttpHostTests
{
    public static TheoryData<string> HostileHosts => new()
    {
        "a;}",
        "a.com; }",
        "a.com;\nserver { listen 80; }",
        "a.com\n",
        "a.com\r\nlocation",
        "a\tb",
        " a.com",
        "a.com ",
        "a com",
        "$host",
        "a.$b.com",
        "a{b}.com",
        "a'b.com",
        "a\"b.com",
        "a\\b.com",
        "a#b.com",
        "a/b.com",
        "a:80",
        "a.com:80",
        "*.example.com",
        "*",
        "~^(?<x>.+)$",
        "Shop.Example.com",
        "shop.example.com.",
        ".example.com",
        "a..b",
        "-a.com",
        "a-.com",
        "a_b.com",
        "ex\u00e4mple.com",
        "a\u0000.com",
        "xn--\u200b.com",
        "",
        new string('a', 64),
        new string('a', 64) + ".com",
        string.Join('.', Enumerable.Repeat(new string('a', 63), 4)),
    };

    [Theory]
    [MemberData(nameof(HostileHosts))]
    public void HostileHostIsRejectedAtHttpHost(string host)
    {
        var json = ManifestAssert.With($"\"services\": {{\"web\": 80}}, \"http\": {{\"host\": {JsonSerializer.Serialize(host)}, \"port\": 80}}");

        ManifestAssert.SingleError(json, "$.http.host", "host name");
    }

    [Fact]
    public void LongestValidHostIsAccepted()
    {
        // 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters.
        var host = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 61));

        Assert.Equal(253, host.Length);
        Assert.Equal(host, ManifestParser.Parse(ManifestAssert.With($"\"services\": {{\"web\": 80}}, \"http\": {{\"host\": \"{host}\", \"port\": 80}}")).Http!.Host);
    }

    [Fact]
    public void HostOneCharacterTooLongIsRejected()
    {
        var host = string.Join('.', new string('a', 63), new string('b', 63), new string('c', 63), new string('d', 62));

        ManifestAssert.SingleError(
            ManifestAssert.With($"\"services\": {{\"web\": 80}}, \"http\": {{\"host\": \"{host}\", \"port\": 80}}"), "$.http.host", "at most 253");
    }

    [Fact]
    public void AcceptedHostsContainOnlyHostCharacters()
    {
        // Whatever passes, the nginx config writer can paste it as is.
        foreach (var host in new[] { "a", "shop.example.com", "1.2.3.4", "x--y.z" })
        {
            var parsed = ManifestParser.Parse(ManifestAssert.With($"\"services\": {{\"web\": 80}}, \"http\": {{\"host\": \"{host}\", \"port\": 80}}")).Http!.Host;
            Assert.All(parsed, c => Assert.True(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.'));
        }
    }
}
