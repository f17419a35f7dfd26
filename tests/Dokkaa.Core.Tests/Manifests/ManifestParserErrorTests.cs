using System.Text.Json;
using Dokkaa.Core.Manifests;
using Xunit;

namespace Dokkaa.Core.Tests.Manifests;

public sealed class ManifestParserErrorTests
{
    public static TheoryData<string, string, string> SingleErrors => new()
    {
        // The document itself.
        { "", "$", "not valid JSON: " },
        { "{", "$", "not valid JSON: " },
        { "{\"image\":\"nginx\",}", "$", "not valid JSON: " },
        { "{\"image\":\"nginx\"} // note", "$", "not valid JSON: " },
        { "{\"image\":\"nginx\"} {}", "$", "not valid JSON: " },
        { "[]", "$", "expected a manifest object, got an array" },
        { "\"nginx\"", "$", "expected a manifest object, got a string" },
        { "null", "$", "expected a manifest object, got null" },
        { "{}", "$.image", "required" },
        { """{"image":"nginx","foo":1}""", "$.foo", "unknown field" },
        { """{"image":"nginx","Scale":1}""", "$.Scale", "did you mean \"scale\"?" },
        { """{"image":"nginx","a b":1}""", "$[\"a b\"]", "unknown field" },
        { """{"image":"nginx","scale":1,"scale":2}""", "$.scale", "duplicate key" },
        { """{"image":"nginx","\u0069mage":"x"}""", "$.image", "duplicate key" },

        // image
        { """{"image":5}""", "$.image", "expected a string, got a number" },
        { """{"image":null}""", "$.image", "expected a string, got null" },
        { """{"image":""}""", "$.image", "must not be empty" },
        { """{"image":"Nginx"}""", "$.image", "path component \"Nginx\" must be lowercase" },
        { """{"image":"nginx:"}""", "$.image", "tag must be 1-128 characters long" },
        { """{"image":"nginx@sha256:abc"}""", "$.image", "digest must be sha256:" },
        { """{"image":"\ud800"}""", "$.image", "unpaired surrogate" },

        // scale
        { """{"image":"nginx","scale":-1}""", "$.scale", "must be an integer >= 0, got -1" },
        { """{"image":"nginx","scale":1.5}""", "$.scale", "must be an integer >= 0, got 1.5" },
        { """{"image":"nginx","scale":1e2}""", "$.scale", "must be an integer >= 0, got 1e2" },
        { """{"image":"nginx","scale":1001}""", "$.scale", "must be at most 1000, got 1001" },
        { """{"image":"nginx","scale":99999999999999999999}""", "$.scale", "must be at most 1000, got 99999999999999999999" },
        { """{"image":"nginx","scale":-99999999999999999999}""", "$.scale", "must be an integer >= 0" },
        { """{"image":"nginx","scale":"1"}""", "$.scale", "expected an integer 0-1000, got a string" },
        { """{"image":"nginx","scale":null}""", "$.scale", "expected an integer 0-1000, got null" },

        // services, seed form
        { """{"image":"nginx","services":{"nginx":70000}}""", "$.services.nginx", "port 70000 is out of range 1-65535" },
        { """{"image":"nginx","services":{"nginx":0}}""", "$.services.nginx", "port 0 is out of range 1-65535" },
        { """{"image":"nginx","services":{"nginx":-80}}""", "$.services.nginx", "port -80 is out of range 1-65535" },
        { """{"image":"nginx","services":{"nginx":80.5}}""", "$.services.nginx", "port must be an integer, got 80.5" },
        { """{"image":"nginx","services":{"nginx":"80"}}""", "$.services.nginx", "expected a port number or an object" },
        { """{"image":"nginx","services":{"nginx":null}}""", "$.services.nginx", "got null" },
        { """{"image":"nginx","services":[80]}""", "$.services", "expected an object of service name -> port, got an array" },
        { """{"image":"nginx","services":{"Nginx":80}}""", "$.services.Nginx", "service name \"Nginx\" must be lowercase" },
        { """{"image":"nginx","services":{"web_1":80}}""", "$.services.web_1", "must not contain '_'" },
        { """{"image":"nginx","services":{"-web":80}}""", "$.services[\"-web\"]", "must start and end with a letter or digit" },
        { """{"image":"nginx","services":{"":80}}""", "$.services[\"\"]", "must not be empty" },
        { """{"image":"nginx","services":{"a.b":80}}""", "$.services[\"a.b\"]", "must not contain '.'" },
        { """{"image":"nginx","services":{"a":80,"a":81}}""", "$.services.a", "duplicate key" },

        // services, object form
        { """{"image":"nginx","services":{"web":{"port":70000}}}""", "$.services.web.port", "port 70000 is out of range 1-65535" },
        { """{"image":"nginx","services":{"web":{"port":"80"}}}""", "$.services.web.port", "expected a port number 1-65535, got a string" },
        { """{"image":"nginx","services":{"web":{}}}""", "$.services.web.port", "required" },
        { """{"image":"nginx","services":{"web":{"port":80,"protocol":"sctp"}}}""", "$.services.web.protocol", "must be \"tcp\" or \"udp\", got \"sctp\"" },
        { """{"image":"nginx","services":{"web":{"port":80,"protocol":"TCP"}}}""", "$.services.web.protocol", "must be \"tcp\" or \"udp\"" },
        { """{"image":"nginx","services":{"web":{"port":80,"protocol":6}}}""", "$.services.web.protocol", "expected a string, got a number" },
        { """{"image":"nginx","services":{"web":{"port":80,"role":""}}}""", "$.services.web.role", "role must be 1-63 characters" },
        { """{"image":"nginx","services":{"web":{"port":80,"role":"a b"}}}""", "$.services.web.role", "without spaces" },
        { """{"image":"nginx","services":{"web":{"port":80,"role":null}}}""", "$.services.web.role", "expected a string, got null" },
        { """{"image":"nginx","services":{"web":{"port":80,"weight":1}}}""", "$.services.web.weight", "unknown field" },
        { """{"image":"nginx","services":{"web":{"port":80,"port":81}}}""", "$.services.web.port", "duplicate key" },

        // command
        { """{"image":"nginx","command":"nginx -g"}""", "$.command", "expected an array of strings, got a string" },
        { """{"image":"nginx","command":[]}""", "$.command", "must not be empty" },
        { """{"image":"nginx","command":["a",1]}""", "$.command[1]", "expected a string, got a number" },
        { """{"image":"nginx","command":["a",null]}""", "$.command[1]", "expected a string, got null" },
        { """{"image":"nginx","command":[""]}""", "$.command[0]", "the program to run must not be empty" },
        { """{"image":"nginx","command":["a","b\u0000c"]}""", "$.command[1]", "NUL" },

        // links
        { """{"image":"nginx","links":"nginx"}""", "$.links", "expected an array of service names, got a string" },
        { """{"image":"nginx","links":[1]}""", "$.links[0]", "expected a string, got a number" },
        { """{"image":"nginx","links":["Nginx"]}""", "$.links[0]", "link \"Nginx\" has a service name that must be lowercase" },
        { """{"image":"nginx","links":["a.b.c"]}""", "$.links[0]", "must be \"service\" or \"service.app\"" },
        { """{"image":"nginx","links":["a."]}""", "$.links[0]", "has an app name that must not be empty" },
        { """{"image":"nginx","links":[".a"]}""", "$.links[0]", "has a service name that must not be empty" },
        { """{"image":"nginx","links":["db.my---app"]}""", "$.links[0]", "must not contain \"---\"" },
        { """{"image":"nginx","links":["db","web","db"]}""", "$.links[2]", "duplicate link \"db\"" },
        { """{"image":"nginx","links":["nginx-shop","nginx.shop"]}""", "$.links[1]", "would both set SERVICE_NGINX_SHOP_ADDR" },
        { ManifestWithLinks(65), "$.links", "has 65 links, at most 64 are allowed" },
        { ManifestWithLinks(1100), "$.links", "has 1100 links, at most 64 are allowed" },

        // env
        { """{"image":"nginx","env":["A=1"]}""", "$.env", "expected an object of variable name -> string, got an array" },
        { """{"image":"nginx","env":{"PORT":8080}}""", "$.env.PORT", "expected a string, got a number 8080; write \"8080\"" },
        { """{"image":"nginx","env":{"DEBUG":true}}""", "$.env.DEBUG", "expected a string, got a boolean true" },
        { """{"image":"nginx","env":{"A":null}}""", "$.env.A", "expected a string, got null" },
        { """{"image":"nginx","env":{"A":{}}}""", "$.env.A", "expected a string, got an object" },
        { """{"image":"nginx","env":{"1A":"x"}}""", "$.env[\"1A\"]", "is not a valid variable name" },
        { """{"image":"nginx","env":{"A-B":"x"}}""", "$.env.A-B", "is not a valid variable name" },
        { """{"image":"nginx","env":{"":"x"}}""", "$.env[\"\"]", "is not a valid variable name" },
        { """{"image":"nginx","env":{"A=B":"x"}}""", "$.env[\"A=B\"]", "is not a valid variable name" },
        { """{"image":"nginx","env":{"SERVICE_NGINX_ADDR":"x"}}""", "$.env.SERVICE_NGINX_ADDR", "reserved" },
        { """{"image":"nginx","env":{"DOKKAA_HOST":"x"}}""", "$.env.DOKKAA_HOST", "reserved" },
        { """{"image":"nginx","env":{"A":"x\u0000y"}}""", "$.env.A", "NUL" },
        { """{"image":"nginx","env":{"A":"1","A":"2"}}""", "$.env.A", "duplicate key" },

        // http
        { """{"image":"nginx","http":"shop.example.com"}""", "$.http", "expected an object like" },
        { """{"image":"nginx","http":null}""", "$.http", "got null" },
        { """{"image":"nginx","http":{"port":80}}""", "$.http.host", "required" },
        { """{"image":"nginx","http":{"host":"a.b"}}""", "$.http.port", "required" },
        { """{"image":"nginx","http":{"host":"a.b","port":0}}""", "$.http.port", "port 0 is out of range 1-65535" },
        { """{"image":"nginx","http":{"host":"a.b","port":"80"}}""", "$.http.port", "expected a port number 1-65535, got a string" },
        { """{"image":"nginx","http":{"host":1,"port":80}}""", "$.http.host", "expected a string, got a number" },
        { """{"image":"nginx","http":{"host":"a.b","port":80,"tls":true}}""", "$.http.tls", "unknown field" },
        { """{"image":"nginx","http":{"host":"a.b","port":80}}""", "$.http.port", "80 is not published: the manifest has no services" },
        { """{"image":"nginx","services":{"web":8080,"admin":9000},"http":{"host":"a.b","port":80}}""", "$.http.port", "80 is not the tcp port of any of the manifest's services (admin 9000/tcp, web 8080/tcp)" },
        { """{"image":"nginx","services":{"dns":{"port":80,"protocol":"udp"}},"http":{"host":"a.b","port":80}}""", "$.http.port", "80 is not the tcp port of any of the manifest's services (dns 80/udp)" },

        // exclusive
        { """{"image":"nginx","exclusive":"true"}""", "$.exclusive", "expected true or false, got a string" },
        { """{"image":"nginx","exclusive":1}""", "$.exclusive", "expected true or false, got a number" },
        { """{"image":"nginx","exclusive":null}""", "$.exclusive", "expected true or false, got null" },
    };

    private static string ManifestWithLinks(int count) =>
        JsonSerializer.Serialize(new { image = "nginx", links = Enumerable.Range(1, count).Select(i => $"s{i}").ToArray() });

    [Fact]
    public void Sixty_four_links_are_still_valid() =>
        Assert.Equal(64, ManifestParser.Parse(ManifestWithLinks(64)).Links.Count);

    [Theory]
    [MemberData(nameof(SingleErrors))]
    public void ReportsTheErrorAtItsPath(string json, string path, string message) =>
        ManifestAssert.SingleError(json, path, message);

    [Fact]
    public void ReadmeExampleMessageIsExact()
    {
        var error = ManifestAssert.SingleError(
            """{"image":"nginx","services":{"nginx":70000}}""", "$.services.nginx", "port");

        Assert.Equal("$.services.nginx: port 70000 is out of range 1-65535", error.ToString());
    }

    [Fact]
    public void BriefExampleMessagesAreExact()
    {
        Assert.Equal("$.scale: must be an integer >= 0, got -1", ManifestAssert.Errors("""{"image":"a","scale":-1}""")[0].ToString());
        Assert.Equal("$.image: required", ManifestAssert.Errors("{}")[0].ToString());
        Assert.StartsWith("$.foo: unknown field", ManifestAssert.Errors("""{"image":"a","foo":1}""")[0].ToString(), StringComparison.Ordinal);
        Assert.StartsWith("$: not valid JSON: ", ManifestAssert.Errors("{")[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void AllErrorsAreCollectedInDocumentOrder()
    {
        var errors = ManifestAssert.Errors("""
            {
              "scale": -1,
              "services": { "nginx": 70000, "Web": { "port": 0, "protocol": "x" } },
              "command": [],
              "links": ["db", "db"],
              "env": { "PORT": 80, "SERVICE_X": "y" },
              "http": { "host": "a;}", "port": 70000 },
              "exclusive": "yes",
              "extra": {}
            }
            """);

        Assert.Equal(
            new[]
            {
                "$.scale", "$.services.nginx", "$.services.Web", "$.services.Web.port", "$.services.Web.protocol",
                "$.command", "$.links[1]", "$.env.PORT", "$.env.SERVICE_X", "$.http.host", "$.http.port",
                "$.exclusive", "$.extra", "$.image",
            },
            errors.Select(e => e.Path));
    }

    [Fact]
    public void ExceptionMessageListsEveryError()
    {
        var exception = Assert.Throws<ManifestValidationException>(
            () => ManifestParser.Parse("""{"scale": -1, "foo": 1}"""));

        Assert.Contains("3 errors", exception.Message, StringComparison.Ordinal);
        Assert.Contains("$.scale: must be an integer >= 0, got -1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("$.image: required", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullTextIsAValidationError() =>
        Assert.Equal("$", Assert.Single(Assert.Throws<ManifestValidationException>(() => ManifestParser.Parse((string)null!)).Errors).Path);

    [Fact]
    public void DefaultJsonElementIsAValidationError() =>
        Assert.Equal("$", Assert.Single(Assert.Throws<ManifestValidationException>(() => ManifestParser.Parse(default(JsonElement))).Errors).Path);

    [Fact]
    public void DeepNestingIsAValidationError() =>
        ManifestAssert.SingleError(
            ManifestAssert.With($"\"x\": {new string('[', 100)}{new string(']', 100)}"), "$", "not valid JSON");

    [Fact]
    public void KeyWithUnpairedSurrogateIsAValidationError() =>
        ManifestAssert.SingleError(ManifestAssert.With("""
            "env": {"\udc00": "x"}
            """), "$.env", "not valid Unicode");

    [Fact]
    public void HostileKeysAreEscapedInPaths()
    {
        var error = ManifestAssert.SingleError("{\"image\":\"a\",\"x\\n$.image: required\":1}", "$[\"x\\n$.image: required\"]", "unknown field");

        Assert.DoesNotContain('\n', error.ToString());
    }

    [Fact]
    public void LongValuesAreCutShortInMessages()
    {
        var error = ManifestAssert.SingleError(
            ManifestAssert.With($"\"http\": {{\"host\": \"{new string('a', 10_000)};\", \"port\": 80}}"), "$.http.host", "at most 253");

        Assert.True(error.Message.Length < 300, error.Message);
    }
}
