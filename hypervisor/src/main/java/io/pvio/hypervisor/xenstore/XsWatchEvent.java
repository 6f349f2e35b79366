package io.pvio.hypervisor.xenstore;

/**
 * A fired watch: {@code path} is the changed node (relative if the watch was registered relative) and
 * {@code token} the watcher's token.
 */
public record XsWatchEvent(String path, String token)
{
}
