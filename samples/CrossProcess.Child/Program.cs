using DistributedContext;

// The other side of the cross_process sample: a separate process that receives the context as its
// first argument (the header-safe string form), adds to it, and hands it back on standard output.
// It registers the keys it knows, as any other service would; it does not know "tenant".
var requestId = DContext.Register<string>("request_id");
var attempt = DContext.Register<int>("attempt", o => o.Default(1));
var handledBy = DContext.Register<string>("handled_by");
DContext.RegisterLocal<string>("db_connection");

using (DContext.DeserializeFromString(args.Length > 0 ? args[0] : ""))
using (DContext.EnterScope("child"))
{
    Console.Error.WriteLine($"child: request_id={DContext.Get(requestId)} attempt={DContext.Get(attempt)} " +
                            $"scopes={string.Join("/", DContext.ScopeChain)} db_connection_seen={DContext.TryGet<string>("db_connection", out _)}");
    DContext.Set(handledBy, $"child-{Environment.ProcessId}");
    DContext.Set(attempt, DContext.Get(attempt) + 1);
    Console.WriteLine(DContext.SerializeToString());
}
return 0;
