namespace Dokkaa.Agent;
internal static class Program { private static int Main() => 0; }
