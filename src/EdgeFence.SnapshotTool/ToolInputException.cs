namespace EdgeFence.SnapshotTool;

/// <summary>
/// An operator's mistake in the arguments, the config JSON or a key file. Program prints the message as
/// one line and exits with 2; the message never contains a clear token.
/// </summary>
internal sealed class ToolInputException(string message) : Exception(message);
