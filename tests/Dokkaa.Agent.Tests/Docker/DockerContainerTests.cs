using System.Diagnostics;
using Dokkaa.Agent.Docker;
using Dokkaa.Agent.Tests.Fixtures;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Docker;

/// <summary>Container lifecycle against the real daemon.</summary>
public sealed class DockerContainerTests : IClassFixture<DockerFixture>
{
    private readonly DockerFixture _docker;

    public DockerContainerTests(DockerFixture docker) => _docker = docker;

    private DockerClient Client => _docker.Client;

    [Fact]
    public async Task Create_start_inspect_shows_state_ports_labels_and_env()
    {
        await using var scope = _docker.NewScope();
        var spec = scope.Spec("web") with
        {
            Env = new Dictionary<string, string> { ["DOKKAA_GREETING"] = "hello = world" },
            Labels = new Dictionary<string, string>(scope.Labels) { ["io.dokkaa.app"] = "dummy" },
            ExposedPorts = ["80"],
        };

        var id = await scope.RunAsync(spec);
        var details = await Client.InspectContainerAsync(id);

        Assert.NotNull(details);
        Assert.Equal(id, details.Id);
        Assert.Equal(spec.Name, details.Name);
        Assert.Equal(DockerTestImage.Name, details.Image);
        Assert.StartsWith("sha256:", details.ImageId);
        Assert.True(details.Running);
        Assert.Equal("running", details.Status);
        Assert.NotNull(details.StartedAt);
        Assert.Null(details.FinishedAt);
        Assert.Equal("dummy", details.Labels["io.dokkaa.app"]);
        Assert.Equal(scope.Id, details.Labels[DockerScope.ScopeLabel]);
        Assert.Equal("hello = world", details.Env["DOKKAA_GREETING"]);
        Assert.NotNull(details.IpAddress);
        var port = Assert.Contains("80/tcp", details.Ports);
        Assert.InRange(port, 1, 65535);

        // The mapped port really reaches the container's httpd (loopback only).
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var body = await Poll.UntilAsync(() => http.GetStringAsync($"http://127.0.0.1:{port}/"), _ => true, $"httpd on 127.0.0.1:{port}", TimeSpan.FromSeconds(20));
        Assert.Equal("ok", body.Trim());
    }

    [Fact]
    public async Task Inspect_by_name_finds_the_container()
    {
        await using var scope = _docker.NewScope();
        var spec = scope.Spec("named");
        var id = await Client.CreateContainerAsync(spec);

        var details = await Client.InspectContainerAsync(spec.Name);

        Assert.Equal(id, details?.Id);
        Assert.Equal("created", details?.Status);
        Assert.False(details?.Running);
    }

    [Fact]
    public async Task Created_containers_rotate_their_json_file_logs()
    {
        await using var scope = _docker.NewScope();
        var id = await Client.CreateContainerAsync(scope.Spec("logs"));

        var logConfig = await DockerCliAsync("inspect", "-f", "{{ json .HostConfig.LogConfig }}", id);

        Assert.Contains("\"Type\":\"json-file\"", logConfig);
        Assert.Contains("\"max-size\":\"10m\"", logConfig);
    }

    [Fact]
    public async Task List_by_label_returns_exactly_the_labelled_containers()
    {
        await using var scope = _docker.NewScope();
        await using var other = _docker.NewScope();
        var marker = $"io.dokkaa.test.marker-{scope.Id}";
        var first = await Client.CreateContainerAsync(scope.Spec("one"));
        var second = await scope.RunAsync(scope.Spec("two") with { Labels = new Dictionary<string, string>(scope.Labels) { [marker] = "" } });
        await Client.CreateContainerAsync(other.Spec("elsewhere"));

        var byValue = await Client.ListContainersAsync(scope.Filter);
        var byKey = await Client.ListContainersAsync(new Dictionary<string, string?> { [marker] = null });
        var byBoth = await Client.ListContainersAsync(new Dictionary<string, string?> { [DockerScope.ScopeLabel] = scope.Id, [marker] = null });

        Assert.Equal(new[] { first, second }.Order(), byValue.Select(c => c.Id).Order());
        var listed = Assert.Single(byKey);
        Assert.Equal(second, listed.Id);
        Assert.Equal("running", listed.State);
        Assert.Equal(DockerTestImage.Name, listed.Image);
        Assert.StartsWith("dokkaa-test-two-", listed.Name);
        Assert.Equal(scope.Id, listed.Labels[DockerScope.ScopeLabel]);
        Assert.Equal(second, Assert.Single(byBoth).Id);
        Assert.Contains(byValue, c => c.Id == first && c.State == "created");
    }

    [Fact]
    public async Task Stop_ends_the_container_and_stopping_again_is_fine()
    {
        await using var scope = _docker.NewScope();
        var id = await scope.RunAsync(scope.Spec("stop"));

        await Client.StopContainerAsync(id, TimeSpan.FromSeconds(10));
        await Client.StopContainerAsync(id, TimeSpan.FromSeconds(10));

        var details = await Client.InspectContainerAsync(id);
        Assert.NotNull(details);
        Assert.False(details.Running);
        Assert.Equal("exited", details.Status);
        // The test image's sh traps TERM and exits 0.
        Assert.Equal(0, details.ExitCode);
        Assert.NotNull(details.FinishedAt);
    }

    [Fact]
    public async Task Stop_kills_a_container_that_ignores_TERM_after_the_timeout()
    {
        await using var scope = _docker.NewScope();
        // A PID 1 without a TERM handler ignores TERM: only the kill ends it.
        var id = await scope.RunAsync(scope.Spec("stubborn", "sleep", "3600"));

        await Client.StopContainerAsync(id, TimeSpan.FromSeconds(1));

        var details = await Client.InspectContainerAsync(id);
        Assert.Equal(137, details?.ExitCode);
    }

    [Fact]
    public async Task Start_twice_is_fine()
    {
        await using var scope = _docker.NewScope();
        var id = await scope.RunAsync(scope.Spec("twice"));

        await Client.StartContainerAsync(id);

        Assert.True((await Client.InspectContainerAsync(id))?.Running);
    }

    [Fact]
    public async Task Remove_deletes_a_running_container()
    {
        await using var scope = _docker.NewScope();
        var id = await scope.RunAsync(scope.Spec("remove"));

        await Client.RemoveContainerAsync(id);

        Assert.Null(await Client.InspectContainerAsync(id));
        Assert.Empty(await Client.ListContainersAsync(scope.Filter));
    }

    [Fact]
    public async Task Remove_of_a_missing_container_is_fine()
    {
        await Client.RemoveContainerAsync($"dokkaa-test-missing-{Guid.NewGuid():N}");
    }

    [Fact]
    public async Task Inspect_of_a_missing_container_is_null()
    {
        Assert.Null(await Client.InspectContainerAsync($"dokkaa-test-missing-{Guid.NewGuid():N}"));
    }

    [Fact]
    public async Task Start_and_stop_of_a_missing_container_are_not_found()
    {
        var missing = $"dokkaa-test-missing-{Guid.NewGuid():N}";

        await Assert.ThrowsAsync<DockerNotFoundException>(() => Client.StartContainerAsync(missing));
        await Assert.ThrowsAsync<DockerNotFoundException>(() => Client.StopContainerAsync(missing, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Create_with_a_missing_image_is_not_found()
    {
        await using var scope = _docker.NewScope();
        var spec = scope.Spec("noimage") with { Image = "dokkaa-test/does-not-exist:1" };

        var error = await Assert.ThrowsAsync<DockerNotFoundException>(() => Client.CreateContainerAsync(spec));

        Assert.Contains("image not found", error.Message);
        Assert.Contains("dokkaa-test/does-not-exist:1", error.Message);
        Assert.Equal(404, error.StatusCode);
    }

    [Fact]
    public async Task Create_with_a_name_in_use_is_a_conflict_with_the_daemons_message()
    {
        await using var scope = _docker.NewScope();
        var spec = scope.Spec("conflict");
        await Client.CreateContainerAsync(spec);

        var error = await Assert.ThrowsAsync<DockerException>(() => Client.CreateContainerAsync(spec));

        Assert.Equal(409, error.StatusCode);
        Assert.Contains("is already in use", error.Message);
    }

    // The docker CLI reads what the API types here do not carry (HostConfig), as a second opinion.
    private async Task<string> DockerCliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("docker", ["-H", _docker.Endpoint, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"docker {string.Join(' ', args)}: {error}");
        return output;
    }
}
