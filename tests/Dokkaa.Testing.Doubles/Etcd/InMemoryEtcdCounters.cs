namespace Dokkaa.Testing.Etcd;

/// <summary>
/// How many calls an <see cref="InMemoryEtcd"/> has served, by kind: the load a design puts on etcd,
/// which the scale simulation compares between designs.
/// </summary>
public sealed record InMemoryEtcdCounters(
    long Ranges,
    long Puts,
    long Deletes,
    long Txns,
    long LeaseGrants,
    long LeaseKeepAlives,
    long LeaseRevokes,
    long Watches)
{
    public long Total => Ranges + Puts + Deletes + Txns + LeaseGrants + LeaseKeepAlives + LeaseRevokes + Watches;
}
