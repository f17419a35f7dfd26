using Dokkaa.Agent.Ambassador;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

public sealed class AmbassadorPortBookTests : IDisposable
{
    private const int First = 41000;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "dokkaa-portbook-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_dir, "ambassador-ports.json");

    private static bool Free(int port) => false; // "unusable" predicate: every port is usable

    private AmbassadorPortBook Book(int last = First + 99) => new(_dir, First, last);

    public void Dispose()
    {
        if (Directory.Exists(_dir))
            Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Ports_are_handed_out_in_order_and_a_service_keeps_its_port()
    {
        var book = Book();

        Assert.Equal(First, book.PortFor("nginx", "dummy", Free));
        Assert.Equal(First + 1, book.PortFor("nginx", "shop", Free));
        Assert.Equal(First + 2, book.PortFor("db", "dummy", Free));
        Assert.Equal(First, book.PortFor("nginx", "dummy", Free));
    }

    [Fact]
    public void Ports_survive_a_restart_of_the_agent()
    {
        var before = Book();
        var nginx = before.PortFor("nginx", "dummy", Free);
        var db = before.PortFor("db", "dummy", Free);

        var after = Book();

        Assert.Equal(nginx, after.PortFor("nginx", "dummy", Free));
        Assert.Equal(db, after.PortFor("db", "dummy", Free));
        Assert.Equal(First + 2, after.PortFor("cache", "dummy", Free));
    }

    [Fact]
    public void Unusable_ports_are_skipped()
    {
        var book = Book();

        Assert.Equal(First + 2, book.PortFor("nginx", "dummy", p => p < First + 2));
    }

    [Fact]
    public void Forget_frees_the_port_and_persists_that()
    {
        var book = Book();
        var port = book.PortFor("nginx", "dummy", Free);

        book.Forget("nginx", "dummy");

        Assert.Equal(First + 1, Book().PortFor("nginx", "dummy", p => p == port));
    }

    [Fact]
    public void Exhausted_range_is_a_clear_error()
    {
        var book = Book(last: First + 1);
        book.PortFor("a", "dummy", Free);
        book.PortFor("b", "dummy", Free);

        var e = Assert.Throws<AmbassadorPortException>(() => book.PortFor("c", "dummy", Free));

        Assert.Contains($"{First}-{First + 1}", e.Message, StringComparison.Ordinal);
        Assert.Contains("c.dummy", e.Message, StringComparison.Ordinal);
        Assert.Equal(First, book.PortFor("a", "dummy", Free));
    }

    [Fact]
    public void ForgetUnless_gives_back_the_ports_not_kept_and_persists_that()
    {
        var book = Book(last: First + 2);
        book.PortFor("a", "dummy", Free);
        book.PortFor("b", "dummy", Free);
        book.PortFor("c", "dummy", Free);

        var forgotten = book.ForgetUnless((key, port) => key == "b.dummy");

        Assert.Equal(new[] { "a.dummy", "c.dummy" }, forgotten.Select(f => f.Key).Order(StringComparer.Ordinal));
        var reloaded = Book(last: First + 2);
        Assert.Equal(First + 1, reloaded.Booked("b.dummy"));
        Assert.Null(reloaded.Booked("a.dummy"));
        Assert.Equal(First, reloaded.PortFor("d", "dummy", Free));
        Assert.Equal(First + 2, reloaded.PortFor("e", "dummy", Free));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{ not json")]
    [InlineData("null")]
    [InlineData("[1, 2]")]
    [InlineData("""{ "nginx.dummy": "forty" }""")]
    public void Damaged_file_costs_the_stable_ports_not_the_start(string content)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(FilePath, content);

        var book = Book();

        Assert.Equal(First, book.PortFor("nginx", "dummy", Free));
        Assert.Equal(First, Book().PortFor("nginx", "dummy", Free));
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(10, 5)]
    [InlineData(60000, 70000)]
    public void Invalid_range_is_refused(int first, int last) =>
        Assert.Throws<ArgumentException>(() => new AmbassadorPortBook(_dir, first, last));
}
