namespace Dokkaa.Core.EtcdAccess;

/// <summary>What is wrong with an etcd connection setting, for callers that map it (PowerShell error categories).</summary>
public enum EtcdSettingsProblem
{
    /// <summary>The endpoint list is empty or holds something that is not an http(s) URL.</summary>
    EndpointInvalid,

    /// <summary>A value is malformed, or settings that go together are not given together.</summary>
    Invalid,

    /// <summary>A file that a setting names does not exist.</summary>
    FileNotFound,

    /// <summary>A file exists but cannot be read, or is not what it should be (not PEM, key does not match).</summary>
    FileUnreadable,

    /// <summary>A secret (key, password file) can be read by every user of the machine.</summary>
    Exposed,
}
