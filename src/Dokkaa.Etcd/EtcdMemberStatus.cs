namespace Dokkaa.Etcd;

/// <summary>One etcd member's view of itself: its id, the leader's id (null: it knows of none) and the raft term.</summary>
public sealed record EtcdMemberStatus(ulong MemberId, ulong? LeaderId, ulong RaftTerm);
