using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

// ARSoft.Tools.Net's DnsServer answering the records bench/dns.sh writes into etcd for the Dokkaa server:
// instance i of web in app appM at 10.0.0.i with 80/tcp on 32000+i, TTL 5, authoritative.
// Usage: arsoft-dns LISTEN_ADDRESS:PORT MANIFESTS SCALE. On SIGTERM or SIGINT it prints how many queries it
// answered and the bytes the process allocated per query meanwhile.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: arsoft-dns ADDRESS:PORT MANIFESTS SCALE");
    return 2;
}

var listen = IPEndPoint.Parse(args[0]);
var manifests = int.Parse(args[1], CultureInfo.InvariantCulture);
var scale = int.Parse(args[2], CultureInfo.InvariantCulture);
const int Ttl = 5;

var records = new Dictionary<(DomainName, RecordType), List<DnsRecordBase>>();
void Add(DnsRecordBase record)
{
    var key = (record.Name, record.RecordType);
    if (!records.TryGetValue(key, out var list))
        records[key] = list = [];
    list.Add(record);
}

for (var m = 1; m <= manifests; m++)
{
    var group = DomainName.Parse($"web.app{m}.container");
    var service = DomainName.Parse($"_http._tcp.app{m}.container");
    for (var i = 1; i <= scale; i++)
    {
        var instance = DomainName.Parse($"{i}.web.app{m}.container");
        var address = IPAddress.Parse($"10.0.0.{i}");
        Add(new ARecord(instance, Ttl, address));
        Add(new ARecord(group, Ttl, address));
        Add(new SrvRecord(service, Ttl, 0, 0, (ushort)(32000 + i), instance));
    }
}

long answered = 0;
var server = new DnsServer(new UdpServerTransport(listen, 10_000));
server.QueryReceived += (_, e) =>
{
    if (e.Query is DnsMessage query && query.Questions.Count == 1)
    {
        var question = query.Questions[0];
        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        if (records.TryGetValue((question.Name, question.RecordType), out var answers))
            response.AnswerRecords.AddRange(answers);
        else
            response.ReturnCode = ReturnCode.NxDomain;
        e.Response = response;
        Interlocked.Increment(ref answered);
    }

    return Task.CompletedTask;
};

var stop = new ManualResetEventSlim();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Set(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Set(); });
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
server.Start();
Console.WriteLine($"listening on {listen}");
stop.Wait();
server.Stop();
var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
var count = Interlocked.Read(ref answered);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"answered {count} queries; allocated {allocated} bytes, {(count == 0 ? 0 : allocated / count)} bytes per query"));
return 0;
