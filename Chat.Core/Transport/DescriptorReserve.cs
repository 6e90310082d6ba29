using Microsoft.Win32.SafeHandles;

namespace Fleck.Chat.Transport;

/// <summary>
/// A few file descriptors held in reserve (handles to the null device), given back when accepting
/// runs out of descriptors. A process at its open-file limit fails wherever it next opens a file: the
/// runtime loading an assembly, the GC reading memory figures, the log reading the time zone. Giving
/// these back leaves that much room while the server stops taking new connections.
/// Best effort: where the null device cannot be opened the reserve is simply empty.
/// Thread-safety: every member may be called from any thread.
/// </summary>
internal sealed class DescriptorReserve(int count) : IDisposable
{
    private readonly object _lock = new();
    private SafeFileHandle[]? _handles;

    /// <summary>Whether the reserve is held now.</summary>
    public bool IsHeld
    {
        get
        {
            lock (_lock)
            {
                return _handles is not null;
            }
        }
    }

    /// <summary>Takes the descriptors; false (holding none) when they cannot all be had.</summary>
    public bool TryAcquire()
    {
        lock (_lock)
        {
            if (_handles is not null)
            {
                return true;
            }
            var handles = new SafeFileHandle[count];
            var opened = 0;
            try
            {
                for (; opened < count; opened++)
                {
                    handles[opened] = File.OpenHandle(OperatingSystem.IsWindows() ? "NUL" : "/dev/null");
                }
                _handles = handles;
                return true;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                for (var i = 0; i < opened; i++)
                {
                    handles[i].Dispose();
                }
                return false;
            }
        }
    }

    /// <summary>Gives the descriptors back; false when none were held.</summary>
    public bool Release()
    {
        lock (_lock)
        {
            if (_handles is null)
            {
                return false;
            }
            foreach (var handle in _handles)
            {
                handle.Dispose();
            }
            _handles = null;
            return true;
        }
    }

    public void Dispose() => Release();
}
