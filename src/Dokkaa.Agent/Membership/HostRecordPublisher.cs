using Dokkaa.Core.Etcd;
using Microsoft.Extensions.Logging;

namespace Dokkaa.Agent.Membership;

/// <summary>
/// Rewrites this host's record when something it describes changes between registrations (what nginx reports
/// about the routes), so the status writer, on whichever host, sees it. Wakes coalesce: a burst of changes is one
/// write of the latest description; a write etcd does not take is tried again a second later.
/// </summary>
public sealed class HostRecordPublisher
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    private readonly HostMembership _membership;
    private readonly ILogger _log;
    private readonly Core.Threading.AsyncSignal _changed = new();

    public HostRecordPublisher(HostMembership membership, ILogger log)
    {
        _membership = membership;
        _log = log;
    }

    /// <summary>The description changed: write it soon. Cheap, never blocks.</summary>
    public void Wake() => _changed.Set();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await _changed.WaitAsync(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                try
                {
                    await _membership.UpdateRecordAsync(cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (EtcdException e) when (!cancellationToken.IsCancellationRequested)
                {
                    _log.LogWarning("Could not rewrite the record of host {Host}: {Error}; trying again", _membership.HostId, e.Message);
                    await Task.Delay(RetryDelay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
