using System.Diagnostics;

namespace Dokkaa.Testing;

/// <summary>Runs a command line tool (docker, dig, the built CLI) and captures what it printed.</summary>
public static class ProcessRunner
{
    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string All => StdOut + StdErr;
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        if (env is not null)
        {
            foreach (var (k, v) in env)
                info.Environment[k] = v;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    public static Task<Result> RunAsync(string file, params string[] args) => RunAsync(file, (IEnumerable<string>)args);
}
