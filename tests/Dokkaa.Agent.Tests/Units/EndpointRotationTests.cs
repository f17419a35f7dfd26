using Dokkaa.Agent.Ambassador;
using Dokkaa.Core.Discovery;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

public sealed class EndpointRotationTests
{
    private readonly EndpointRotation _rotation = new();

    private static ServiceEndpoint At(string host, int instance) =>
        new("nginx", "dummy", "nginx", instance, host, $"{host}.test", 30000 + instance, 80, "tcp");

    [Fact]
    public void No_endpoints_gives_none() => Assert.Empty(_rotation.Order(Array.Empty<ServiceEndpoint>(), "a"));

    [Fact]
    public void Local_endpoints_come_first_and_none_is_dropped()
    {
        var endpoints = new[] { At("b", 1), At("a", 2), At("c", 3), At("a", 4), At("b", 5) };

        for (var call = 0; call < 6; call++)
        {
            var order = _rotation.Order(endpoints, "a");

            Assert.Equal(new[] { "a", "a" }, order.Take(2).Select(e => e.Host));
            Assert.Equal(endpoints.Select(e => e.Instance).Order(), order.Select(e => e.Instance).Order());
        }
    }

    [Fact]
    public void Successive_connections_rotate_round_robin()
    {
        var endpoints = new[] { At("a", 1), At("a", 2), At("a", 3) };

        var firsts = Enumerable.Range(0, 6).Select(_ => _rotation.Order(endpoints, "a")[0].Instance).ToList();

        Assert.Equal(3, firsts.Take(3).Distinct().Count());
        Assert.Equal(firsts.Take(3), firsts.Skip(3));
    }

    [Fact]
    public void Each_order_keeps_the_cyclic_sequence()
    {
        var endpoints = new[] { At("b", 1), At("b", 2), At("b", 3) };

        var order = _rotation.Order(endpoints, "a").Select(e => e.Instance).ToList();

        var start = order[0];
        Assert.Equal(Enumerable.Range(0, 3).Select(i => (start - 1 + i) % 3 + 1), order);
    }

    [Fact]
    public void Remote_endpoints_rotate_too_when_nothing_is_local()
    {
        var endpoints = new[] { At("b", 1), At("c", 2) };

        var firsts = Enumerable.Range(0, 4).Select(_ => _rotation.Order(endpoints, "a")[0].Instance).ToList();

        Assert.Equal(new[] { 1, 2 }, firsts.Distinct().Order());
    }
}
