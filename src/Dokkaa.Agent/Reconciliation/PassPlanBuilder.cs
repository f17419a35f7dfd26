using Dokkaa.Core.Cluster;

namespace Dokkaa.Agent.Reconciliation;

/// <summary>The plan of one pass while <see cref="PassPlanner"/> decides it: one action per instance, the stagger's memory, the wake-up.</summary>
internal sealed class PassPlanBuilder
{
    private readonly List<PlannedAction> _actions = new();
    private readonly HashSet<InstanceId> _planned = new();
    private readonly IReadOnlySet<InstanceId> _inFlight;

    public PassPlanBuilder(IReadOnlySet<InstanceId> inFlight, DateTimeOffset wakeAt)
    {
        _inFlight = inFlight;
        WakeAt = wakeAt;
    }

    public DateTimeOffset WakeAt { get; private set; }

    public Dictionary<InstanceId, DateTimeOffset> UnclaimedSince { get; } = new();

    /// <summary>One operation per instance: the first decided this pass, none while one still runs.</summary>
    public void Add(PlannedAction action)
    {
        if (!_inFlight.Contains(action.Id) && _planned.Add(action.Id))
            _actions.Add(action);
    }

    public bool HasAction(InstanceId id) => _planned.Contains(id);

    /// <summary>Moves the next pass earlier to <paramref name="at"/> if it is sooner.</summary>
    public void WakeNoLaterThan(DateTimeOffset at)
    {
        if (at < WakeAt)
            WakeAt = at;
    }

    public PassPlan Build(IReadOnlyList<StatusChange> statuses) => new(_actions, statuses, UnclaimedSince, WakeAt);
}
