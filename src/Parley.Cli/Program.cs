using Microsoft.Extensions.Hosting;
using Parley.Server.Hosting;
await using var server = await ParleyHost.StartAsync(new ServerOptions { DataDirectory = args[0], Urls = args[1] });
Console.WriteLine(string.Join(" ", server.Addresses));
await server.App.WaitForShutdownAsync();
return 0;
