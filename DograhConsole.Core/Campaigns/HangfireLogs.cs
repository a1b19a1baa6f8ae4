using Hangfire.Logging;
using Microsoft.Extensions.Logging;
using HangfireLevel = Hangfire.Logging.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace DograhConsole.Core.Campaigns;

/// <summary>
/// Hangfire logs through one process-wide provider, and its classes keep the loggers they got from it. Hangfire's own
/// ASP.NET Core provider fails once the host whose logger factory it holds has been disposed, which broke the next
/// console started in the same process (tests start many). This one forwards to the host's logging and goes quiet
/// when that host is gone.
/// </summary>
internal sealed class HangfireLogs(ILoggerFactory loggers) : ILogProvider
{
    public ILog GetLogger(string name) => new Logger(loggers, name);

    private sealed class Logger(ILoggerFactory loggers, string name) : ILog
    {
        private ILogger? _logger;

        public bool Log(HangfireLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                _logger ??= loggers.CreateLogger(name);
                var level = logLevel switch
                {
                    HangfireLevel.Trace => LogLevel.Trace,
                    HangfireLevel.Debug => LogLevel.Debug,
                    HangfireLevel.Info => LogLevel.Information,
                    HangfireLevel.Warn => LogLevel.Warning,
                    HangfireLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null) return _logger.IsEnabled(level);
                if (!_logger.IsEnabled(level)) return false;
                _logger.Log(level, 0, messageFunc(), exception, static (message, _) => message);
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
