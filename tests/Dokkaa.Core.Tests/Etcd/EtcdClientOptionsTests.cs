using Dokkaa.Core.Etcd;
using Xunit;

namespace Dokkaa.Core.Tests.Etcd;

/// <summary>Reading endpoint lists, and keeping the password out of text.</summary>
public sealed class EtcdClientOptionsTests
{
    [Fact]
    public void Endpoint_lists_parse_with_or_without_scheme()
    {
        var options = EtcdClientOptions.Parse(" http://a:2379, 10.0.0.2:2379 ;https://c:2379 ");

        Assert.Equal([new Uri("http://a:2379"), new Uri("http://10.0.0.2:2379"), new Uri("https://c:2379")], options.Endpoints);
        Assert.Throws<FormatException>(() => EtcdClientOptions.Parse(" , "));
        Assert.Throws<ArgumentException>(() => new EtcdClientOptions([new Uri("ftp://a")]));
    }

    [Fact]
    public void Options_never_print_the_password()
    {
        var options = EtcdClientOptions.Parse("https://a:2379") with { Username = "agent", Password = "s3cret-pw" };

        Assert.DoesNotContain("s3cret-pw", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("agent", options.ToString(), StringComparison.Ordinal);
    }
}
