using Dokkaa.Agent.Containers;
using Xunit;

namespace Dokkaa.Agent.Tests.Units;

public sealed class ContainerLimitFlagsTests
{
    private static Hosting.AgentOptions Parse(params string[] args) => AgentFlagParser.Parse(args);

    [Fact]
    public void Without_flags_a_container_gets_two_gibibytes_and_4096_processes()
    {
        Assert.Equal(ContainerLimits.Default, Parse().ContainerDefaults);
        Assert.Equal(new ContainerLimits(2L * 1024 * 1024 * 1024, 0, 4096), ContainerLimits.Default);
    }

    [Fact]
    public void The_flags_set_each_default_and_zero_turns_a_limit_off()
    {
        Assert.Equal(new ContainerLimits(512L * 1024 * 1024, 500, 100), Parse("--default-memory", "512m", "--default-cpus", "0.5", "--default-pids", "100").ContainerDefaults);
        Assert.Equal(ContainerLimits.None, Parse("--default-memory", "0", "--default-cpus", "0", "--default-pids", "0").ContainerDefaults);
    }

    [Theory]
    [InlineData("--default-memory", "lots", "--default-memory: \"lots\" is not a size")]
    [InlineData("--default-cpus", "-1", "--default-cpus: \"-1\" is not a number of cores")]
    [InlineData("--default-pids", "-5", "--default-pids: must be 0 (no limit) or more")]
    public void A_bad_value_names_its_flag(string flag, string value, string message)
    {
        var error = Assert.Throws<FormatException>(() => Parse(flag, value));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
