using Dokkaa.Agent.Http;
using Dokkaa.Core.Cluster;
using Dokkaa.Core.Manifests;
using Dokkaa.Testing;
using Xunit;

namespace Dokkaa.Agent.Tests.Http;

/// <summary>The nginx.conf writer on its own: pure, so no nginx is needed here (the supervisor tests run the real one).</summary>
public sealed class NginxConfigRendererTests
{
    /// <summary>Without the front, the router itself listens on the addresses: the whole picture in one file.</summary>
    private static readonly NginxOptions Options = new() { StateDir = "/var/lib/dokkaa/nginx", RuntimeDir = "/var/lib/dokkaa/nginx", Listen = new[] { "127.0.0.1:8080" }, Front = false };

    /// <summary>shop.example with two running instances (and one starting, one beyond the scale), idle.example with none.</summary>
    private static ClusterState SmallCluster() => new ClusterStateBuilder()
        .HttpManifest("shop", "web", "shop.example", port: 9000, scale: 3)
        .HttpInstance("shop", "web", 2, "10.0.0.2", 32769, host: "h2")
        .HttpInstance("shop", "web", 1, "10.0.0.1", 32768, host: "h1")
        .HttpInstance("shop", "web", 3, "10.0.0.3", 32770, InstanceState.Starting, host: "h3")
        .HttpInstance("shop", "web", 4, "10.0.0.4", 32771, host: "h4")
        .HttpManifest("shop", "idle", "idle.example", scale: 0)
        .HttpManifest("shop", "worker", null)
        .State;

    [Fact]
    public void Golden_output_for_a_small_cluster()
    {
        var config = NginxConfigRenderer.Render(SmallCluster(), Options);

        Assert.Equal(Golden, config.Text);
        Assert.Empty(config.Problems);
        Assert.Equal(new[] { "idle.example", "shop.example" }, config.Routes.Select(r => r.Host));
        Assert.Equal(new[] { "10.0.0.1:32768", "10.0.0.2:32769" }, config.Routes[1].Upstreams);
        Assert.Empty(config.Routes[0].Upstreams);
    }

    [Fact]
    public void Behind_the_front_the_router_listens_on_a_unix_socket_and_passes_the_forwarding_headers_on()
    {
        var options = Options with { Front = true, Listen = new[] { "0.0.0.0:80", "[::]:80" } };
        var config = NginxConfigRenderer.Render(SmallCluster(), options);

        var single = NginxConfigRenderer.Render(SmallCluster(), Options).Text;
        Assert.DoesNotContain("listen 127.0.0.1", config.Text);
        Assert.DoesNotContain("listen 0.0.0.0", config.Text);
        Assert.Contains("        listen unix:/var/lib/dokkaa/nginx/router.sock default_server;\n        server_name _;", config.Text);
        Assert.Contains("        listen unix:/var/lib/dokkaa/nginx/router.sock;\n        server_name shop.example;", config.Text);
        Assert.Contains("proxy_set_header X-Forwarded-For $http_x_forwarded_for;\n    proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;\n    proxy_set_header X-Real-IP $http_x_real_ip;\n", config.Text);
        Assert.Contains("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n    proxy_set_header X-Forwarded-Proto $scheme;\n    proxy_set_header X-Real-IP $remote_addr;\n", single);
        Assert.Equal(
            single.Split('\n').Count(l => l.Contains("listen 127.0.0.1:8080", StringComparison.Ordinal)),
            config.Text.Split('\n').Count(l => l.Contains("listen unix:/var/lib/dokkaa/nginx/router.sock", StringComparison.Ordinal)));
    }

    [Fact]
    public void Golden_front_configuration()
    {
        var options = Options with { Front = true, Listen = new[] { "[::]:80", "0.0.0.0:80" } };
        var front = NginxConfigRenderer.RenderFront(options);

        Assert.Equal(FrontGolden, front.Text);
        // It depends on the options only: the cluster cannot change it, so it is never reloaded.
        Assert.Equal(front.Text, NginxConfigRenderer.RenderFront(options).Text);
        Assert.NotEqual(front.Hash, NginxConfigRenderer.Render(ClusterState.Empty, options).Hash);
    }

    [Fact]
    public void The_text_does_not_depend_on_the_order_things_arrived_in()
    {
        var one = new ClusterStateBuilder()
            .HttpManifest("b", "web", "b.example").HttpManifest("a", "web", "a.example")
            .HttpInstance("b", "web", 1, "10.0.0.10", 1000).HttpInstance("b", "web", 2, "10.0.0.9", 1000).HttpInstance("b", "web", 3, "10.0.0.9", 999)
            .HttpInstance("a", "web", 1, "10.0.0.1", 1000)
            .State;
        var two = new ClusterStateBuilder()
            .HttpManifest("a", "web", "a.example").HttpManifest("b", "web", "b.example")
            .HttpInstance("a", "web", 1, "10.0.0.1", 1000)
            .HttpInstance("b", "web", 3, "10.0.0.9", 999).HttpInstance("b", "web", 1, "10.0.0.10", 1000).HttpInstance("b", "web", 2, "10.0.0.9", 1000)
            .State;

        var config = NginxConfigRenderer.Render(one, Options);
        Assert.Equal(config.Text, NginxConfigRenderer.Render(two, Options).Text);
        Assert.Equal(config.Hash, NginxConfigRenderer.Render(two, Options).Hash);
        // Numeric address order, then port.
        Assert.Equal(new[] { "10.0.0.9:999", "10.0.0.9:1000", "10.0.0.10:1000" }, config.Routes.Single(r => r.Host == "b.example").Upstreams);
    }

    [Theory]
    [InlineData("a;}")]
    [InlineData("shop.example;}server{listen 80;")]
    [InlineData("shop.example\nserver { }")]
    [InlineData("shop.example\r\n")]
    [InlineData("$host")]
    [InlineData("shop$1.example")]
    [InlineData("~^(.*)$")]
    [InlineData("*.example")]
    [InlineData("shop example")]
    [InlineData("shop\t.example")]
    [InlineData("\"shop.example\"")]
    [InlineData("'shop.example'")]
    [InlineData("shop.example#")]
    [InlineData("shop{.example")]
    [InlineData("shop\\\\.example")]
    [InlineData("Shop.Example")]
    [InlineData("sh\u00f6p.example")]
    [InlineData("shop.example.")]
    [InlineData(".shop.example")]
    [InlineData("shop..example")]
    [InlineData("-shop.example")]
    [InlineData("shop-.example")]
    [InlineData("shop.example:80")]
    [InlineData("_")]
    [InlineData("")]
    public void A_hostile_or_invalid_host_name_is_never_rendered_and_is_reported(string escaped)
    {
        var host = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var state = new ClusterStateBuilder()
            .HttpManifest("evil", "web", host).HttpInstance("evil", "web", 1, "10.0.0.1", 32768)
            .HttpManifest("shop", "web", "shop.example").HttpInstance("shop", "web", 1, "10.0.0.2", 32768)
            .State;

        var config = NginxConfigRenderer.Render(state, Options);

        var problem = Assert.Single(config.Problems);
        Assert.Equal(new ManifestId("evil", "web"), problem.Manifest);
        Assert.Contains("http.host", problem.Message);
        Assert.Equal(new[] { "shop.example" }, config.Routes.Select(r => r.Host));
        Assert.DoesNotContain("10.0.0.1", config.Text);
        Assert.Equal(NginxConfigRenderer.Render(new ClusterStateBuilder().HttpManifest("shop", "web", "shop.example").HttpInstance("shop", "web", 1, "10.0.0.2", 32768).State, Options).Text, config.Text);
        AssertOnlySafeCharacters(config.Text);
    }

    [Fact]
    public void Labels_of_64_characters_and_names_over_253_are_refused_while_the_limits_themselves_are_rendered()
    {
        var label63 = new string('a', 63);
        var longest = string.Join('.', label63, label63, label63, new string('b', 61)); // 253
        var tooLongLabel = new string('c', 64) + ".example";
        var tooLongName = "d" + longest; // 254
        var state = new ClusterStateBuilder()
            .HttpManifest("a", "ok1", label63 + ".example").HttpManifest("a", "ok2", longest)
            .HttpManifest("a", "bad1", tooLongLabel).HttpManifest("a", "bad2", tooLongName)
            .State;

        var config = NginxConfigRenderer.Render(state, Options);

        Assert.Equal(253, longest.Length);
        Assert.Equal(new[] { longest, label63 + ".example" }, config.Routes.Select(r => r.Host));
        Assert.Equal(new[] { "a/bad1", "a/bad2" }, config.Problems.Select(p => p.Manifest.ToString()));
        Assert.Contains("label of 64 characters", config.Problems[0].Message);
        Assert.Contains("254 characters", config.Problems[1].Message);
        Assert.DoesNotContain(tooLongLabel, config.Text);
        Assert.DoesNotContain(tooLongName, config.Text);
        // nginx refuses to start unless the longest name fits in a hash bucket.
        Assert.Contains("server_names_hash_bucket_size 2048;", config.Text);
    }

    [Theory]
    [InlineData("10.0.0.1; } server { listen 81; ")]
    [InlineData("10.0.0.1\n")]
    [InlineData("evil.example")]
    [InlineData("10.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("0.0.0.0")]
    [InlineData("")]
    public void Instance_addresses_that_are_not_plain_IP_addresses_are_never_rendered(string escaped)
    {
        var address = System.Text.RegularExpressions.Regex.Unescape(escaped);
        var state = new ClusterStateBuilder().HttpManifest("shop", "web", "shop.example", scale: 2)
            .HttpInstance("shop", "web", 1, address, 32768)
            .HttpInstance("shop", "web", 2, "10.0.0.2", 32769)
            .State;

        var config = NginxConfigRenderer.Render(state, Options);

        Assert.Equal(new[] { "10.0.0.2:32769" }, config.Routes.Single().Upstreams);
        var problem = Assert.Single(config.Problems);
        Assert.Contains("instance 1", problem.Message);
        if (address.Length > 0)
            Assert.DoesNotContain(address, config.Text);
        AssertOnlySafeCharacters(config.Text);
    }

    [Fact]
    public void IPv6_instances_and_listen_addresses_are_bracketed()
    {
        var options = Options with { Listen = new[] { "[::]:8080", "0.0.0.0:8080" } };
        var state = new ClusterStateBuilder().HttpManifest("shop", "web", "shop.example", scale: 2)
            .HttpInstance("shop", "web", 1, "2001:DB8:0:0::1", 32768)
            .HttpInstance("shop", "web", 2, "10.0.0.2", 32769)
            .State;

        var config = NginxConfigRenderer.Render(state, options);

        Assert.Equal(new[] { "10.0.0.2:32769", "[2001:db8::1]:32768" }, config.Routes.Single().Upstreams);
        Assert.Contains("listen 0.0.0.0:8080 default_server;\n        listen [::]:8080 default_server;\n", config.Text);
        Assert.Contains("listen 0.0.0.0:8080;\n        listen [::]:8080;\n        server_name shop.example;", config.Text);
    }

    [Fact]
    public void Ids_in_comments_are_sanitised()
    {
        var state = new ClusterStateBuilder().HttpManifest("sh;op}", "we\nb{", "shop.example").HttpInstance("sh;op}", "we\nb{", 1, "10.0.0.1", 32768, host: "h1;\n}").State;

        var config = NginxConfigRenderer.Render(state, Options);

        Assert.Contains("# shop.example: sh?op?/we?b?", config.Text);
        Assert.Contains("server 10.0.0.1:32768; # sh?op?/we?b?/1 on h1???", config.Text);
        AssertOnlySafeCharacters(config.Text);
    }

    [Fact]
    public void Only_running_instances_within_the_scale_that_publish_the_http_port_are_upstreams()
    {
        var state = new ClusterStateBuilder().HttpManifest("shop", "web", "shop.example", port: 9000, scale: 5)
            .HttpInstance("shop", "web", 1, "10.0.0.1", 1001)
            .HttpInstance("shop", "web", 2, "10.0.0.2", 1002, InstanceState.Starting)
            .HttpInstance("shop", "web", 3, "10.0.0.3", 1003, InstanceState.Failed)
            .HttpInstance("shop", "web", 4, "10.0.0.4", 1004, InstanceState.Stopping)
            .HttpInstance("shop", "web", 5, "10.0.0.5", 1005, httpPort: 8080)
            .HttpInstance("shop", "web", 6, "10.0.0.6", 1006)
            .State;

        var config = NginxConfigRenderer.Render(state, Options);

        Assert.Equal(new[] { "10.0.0.1:1001" }, config.Routes.Single().Upstreams);
        var problem = Assert.Single(config.Problems);
        Assert.Equal("shop/web: instance 5 runs but publishes no 9000/tcp; it gets no shop.example requests", problem.ToString());
    }

    [Fact]
    public void A_host_without_running_instances_answers_503_and_has_no_upstream()
    {
        var state = new ClusterStateBuilder().HttpManifest("shop", "web", "shop.example").HttpInstance("shop", "web", 1, "10.0.0.1", 1001, InstanceState.Failed).State;

        var config = NginxConfigRenderer.Render(state, Options);

        Assert.DoesNotContain("upstream dokkaa_", config.Text);
        Assert.Contains("server_name shop.example;\n        location / {\n            return 503 \"dokkaa: shop.example has no running instance\\n\";", config.Text);
    }

    [Fact]
    public void Unknown_hosts_go_to_a_default_server_on_every_listen_address_that_answers_404()
    {
        var options = Options with { Listen = new[] { "127.0.0.1:8080", "10.1.2.3:80" } };
        var config = NginxConfigRenderer.Render(SmallCluster(), options);

        Assert.Contains("    server {\n        listen 10.1.2.3:80 default_server;\n        listen 127.0.0.1:8080 default_server;\n        server_name _;\n        location / {\n            return 404 ", config.Text);
        Assert.Equal(2, config.Text.Split("default_server").Length - 1);
        Assert.Empty(NginxConfigRenderer.Render(ClusterState.Empty, options).Routes);
        Assert.Contains("return 404 ", NginxConfigRenderer.Render(ClusterState.Empty, options).Text);
    }

    [Fact]
    public void A_host_name_declared_twice_is_routed_to_the_manifest_created_first_only()
    {
        // green's key was created first (revision 3), although blue sorts first by name.
        var state = new ClusterStateBuilder()
            .HttpManifest("shop", "blue", "shop.example", createRevision: 5).HttpInstance("shop", "blue", 1, "10.0.0.1", 1001)
            .HttpManifest("shop", "green", "shop.example", port: 8080, createRevision: 3).HttpInstance("shop", "green", 1, "10.0.0.2", 2001, httpPort: 8080)
            .State;

        var config = NginxConfigRenderer.Render(state, Options);

        var route = Assert.Single(config.Routes);
        Assert.Equal(new ManifestId("shop", "green"), route.Manifest);
        Assert.Equal(new[] { "10.0.0.2:2001" }, route.Upstreams);
        Assert.DoesNotContain("10.0.0.1", config.Text);
        Assert.Single(config.Text.Split("server_name shop.example;").Skip(1));
        Assert.Contains("# shop.example: shop/green\n", config.Text);
        // The later claimant's status says who serves the name (StatusCalculator); it is no route problem of nginx.
        Assert.Empty(config.Problems);
    }

    [Fact]
    public void Nginx_own_failures_are_marked_for_the_route_check_and_an_instance_answer_is_not()
    {
        var config = NginxConfigRenderer.Render(SmallCluster(), Options);
        var front = NginxConfigRenderer.RenderFront(Options with { Front = true });

        // Only nginx's own errors reach error_page (proxy_intercept_errors is off): an instance's 502 passes unchanged.
        Assert.DoesNotContain("proxy_intercept_errors on", config.Text);
        Assert.Contains("error_page 502 504 @dokkaa_no_instance_answered;", config.Text);
        Assert.Contains($"add_header {NginxConfigRenderer.ErrorHeader} {NginxConfigRenderer.NoInstanceAnswered} always;", config.Text);
        Assert.Contains($"add_header {NginxConfigRenderer.ErrorHeader} {NginxConfigRenderer.RouterFailed} always;", config.Text);
        Assert.Contains($"add_header {NginxConfigRenderer.ErrorHeader} {NginxConfigRenderer.RouterUnreachable} always;", front.Text);
    }

    [Fact]
    public void A_broken_manifest_keeps_its_last_valid_route()
    {
        var valid = new Manifest { Image = "shop/web:1", Scale = 1, Http = new HttpRoute("shop.example", 9000) };
        var id = new ManifestId("shop", "web");
        var state = new ClusterStateBuilder().HttpInstance("shop", "web", 1, "10.0.0.1", 1001).State;
        state = state with { Manifests = state.Manifests.SetItem(id, new ManifestEntry(id, "{broken", null, new[] { new ManifestError("$", "bad") }, 2, valid)) };

        Assert.Equal(new[] { "10.0.0.1:1001" }, NginxConfigRenderer.Render(state, Options).Routes.Single().Upstreams);
    }

    [Theory]
    [InlineData("80")]
    [InlineData("0.0.0.0")]
    [InlineData("0.0.0.0:0")]
    [InlineData("0.0.0.0:70000")]
    [InlineData("::1:80")]
    [InlineData("[127.0.0.1]:80")]
    [InlineData("localhost:80")]
    [InlineData("10.1:80")]
    [InlineData("0.0.0.0:80;")]
    public void Bad_listen_addresses_are_refused(string listen)
    {
        var options = Options with { Listen = new[] { listen } };
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(listen, error.Message);
    }

    [Theory]
    [InlineData("relative/dir")]
    [InlineData("/var/lib/dokkaa nginx")]
    [InlineData("/var/lib/dokkaa;nginx")]
    [InlineData("/var/lib/$dokkaa")]
    public void A_state_directory_that_could_not_be_written_into_nginx_conf_is_refused(string dir)
    {
        var error = Assert.Throws<ArgumentException>((Options with { StateDir = dir }).Validate);
        Assert.Contains("state directory", error.Message);
    }

    /// <summary>Nothing but printable ASCII and newlines; no character outside what the renderer itself writes.</summary>
    private static void AssertOnlySafeCharacters(string text)
    {
        foreach (var c in text)
            Assert.True(c == '\n' || c is >= ' ' and <= '~', $"unexpected character U+{(int)c:X4} in the rendered configuration");
    }

    private const string Golden = """
# Written by dokkaa-agent from the cluster state and replaced on every change: do not edit.
worker_processes auto;
worker_shutdown_timeout 300s;
pid /var/lib/dokkaa/nginx/nginx.pid;
error_log /var/lib/dokkaa/nginx/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    server_tokens off;
    default_type text/plain;
    client_body_temp_path /var/lib/dokkaa/nginx/client_body_temp;
    proxy_temp_path /var/lib/dokkaa/nginx/proxy_temp;
    fastcgi_temp_path /var/lib/dokkaa/nginx/fastcgi_temp;
    uwsgi_temp_path /var/lib/dokkaa/nginx/uwsgi_temp;
    scgi_temp_path /var/lib/dokkaa/nginx/scgi_temp;
    server_names_hash_bucket_size 128;
    server_names_hash_max_size 1024;

    # WebSocket: Upgrade is passed through; other requests send no Connection header (upstream keep-alive).
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' '';
    }

    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_connect_timeout 3s;
    proxy_send_timeout 60s;
    proxy_read_timeout 60s;
    # A dead, refusing or failing instance is skipped: the request goes to the next one.
    proxy_next_upstream error timeout http_502;

    # Any Host header without a route: 404, never some other application.
    server {
        listen 127.0.0.1:8080 default_server;
        server_name _;
        location / {
            return 404 "dokkaa: no application is routed for this Host header\n";
        }
    }

    # idle.example: shop/idle (no running instance)
    server {
        listen 127.0.0.1:8080;
        server_name idle.example;
        location / {
            return 503 "dokkaa: idle.example has no running instance\n";
        }
    }

    # shop.example: shop/web
    upstream dokkaa_shop_example {
        server 10.0.0.1:32768; # shop/web/1 on h1
        server 10.0.0.2:32769; # shop/web/2 on h2
        keepalive 32;
    }

    server {
        listen 127.0.0.1:8080;
        server_name shop.example;
        location / {
            proxy_pass http://dokkaa_shop_example;
        }
        error_page 502 504 @dokkaa_no_instance_answered;
        error_page 500 @dokkaa_router_failed;
        location @dokkaa_no_instance_answered {
            add_header X-Dokkaa-Error no-instance-answered always;
            return 502 "dokkaa: no instance of shop.example answered\n";
        }
        location @dokkaa_router_failed {
            add_header X-Dokkaa-Error router-failed always;
            return 500 "dokkaa: nginx failed to pass the request for shop.example on\n";
        }
    }

    # The agent reads the hash of the configuration nginx serves here, to know when a reload has taken effect.
    server {
        listen unix:/var/lib/dokkaa/nginx/control.sock;
        location = /dokkaa/config {
            return 200 "647f8ecf64369f6e\n";
        }
        location / {
            return 404;
        }
    }
}

""";

    private const string FrontGolden = """
# Written by dokkaa-agent: the front nginx. It listens on the HTTP addresses and is never reloaded;
# every request goes to the router (nginx.conf) on a new unix-socket connection.
worker_processes auto;
worker_shutdown_timeout 300s;
pid /var/lib/dokkaa/nginx/front.pid;
error_log /var/lib/dokkaa/nginx/error.log warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    server_tokens off;
    default_type text/plain;
    client_body_temp_path /var/lib/dokkaa/nginx/front_client_body_temp;
    proxy_temp_path /var/lib/dokkaa/nginx/front_proxy_temp;
    fastcgi_temp_path /var/lib/dokkaa/nginx/front_fastcgi_temp;
    uwsgi_temp_path /var/lib/dokkaa/nginx/front_uwsgi_temp;
    scgi_temp_path /var/lib/dokkaa/nginx/front_scgi_temp;
    # The router applies the limits.
    client_max_body_size 0;

    # WebSocket: Upgrade is passed through; other requests send no Connection header (upstream keep-alive).
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' '';
    }

    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    proxy_set_header X-Real-IP $remote_addr;
    proxy_buffering off;
    proxy_request_buffering off;
    # Only a connection error is tried again (idempotent requests, or any request not yet sent); the router answers timeouts itself.
    proxy_next_upstream error;
    proxy_connect_timeout 3s;
    proxy_send_timeout 65s;
    proxy_read_timeout 65s;

    # The same router twice: a request whose connection the router drops unanswered (an old worker
    # shutting down) is tried once more, on a new connection. max_fails=0: never taken out of service.
    upstream dokkaa_router {
        server unix:/var/lib/dokkaa/nginx/router.sock max_fails=0;
        server unix:/var/lib/dokkaa/nginx/router.sock max_fails=0;
    }

    server {
        listen 0.0.0.0:80 default_server;
        listen [::]:80 default_server;
        server_name _;
        location / {
            proxy_pass http://dokkaa_router;
        }
        error_page 500 502 504 @dokkaa_router_unreachable;
        location @dokkaa_router_unreachable {
            add_header X-Dokkaa-Error router-unreachable always;
            return 502 "dokkaa: the front nginx could not pass the request to the routing nginx\n";
        }
    }

    # The agent reads the hash of the configuration nginx serves here, to know when a reload has taken effect.
    server {
        listen unix:/var/lib/dokkaa/nginx/front-control.sock;
        location = /dokkaa/config {
            return 200 "e45b00053fe27e05\n";
        }
        location / {
            return 404;
        }
    }
}

""";
}
