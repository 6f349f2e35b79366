package io.pvio.frontend.block;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The blocking convenience layer over a {@link BlkfrontDevice}: each call submits one request and waits for it.
 * Never call it from a completion (the device's own agent thread): the wait could not end.
 */
public final class BlkfrontBlockingDevice
{
    private final BlkfrontDevice device;
    private final long timeoutNs;

    /** @param timeoutNs how long each call waits before failing with an {@link IOException}. */
    public BlkfrontBlockingDevice(final BlkfrontDevice device, final long timeoutNs)
    {
        this.device = device;
        this.timeoutNs = timeoutNs;
    }

    public BlkfrontDevice device()
    {
        return device;
    }

    public void read(final long sector, final BlockBuffer buffer) throws IOException
    {
        await(device.read(sector, buffer));
    }

    public void write(final long sector, final BlockBuffer buffer) throws IOException
    {
        await(device.write(sector, buffer));
    }

    public void flush() throws IOException
    {
        await(device.flush());
    }

    public void discard(final long sector, final long sectorCount) throws IOException
    {
        await(device.discard(sector, sectorCount));
    }

    private void await(final CompletableFuture<Void> request) throws IOException
    {
        try
        {
            request.get(timeoutNs, TimeUnit.NANOSECONDS);
        }
        catch (final ExecutionException ex)
        {
            if (ex.getCause() instanceof BlockIoException failed)
            {
                throw failed;
            }
            throw new IOException(ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a block request");
        }
        catch (final TimeoutException ex)
        {
            throw new IOException("block request not answered within " + timeoutNs + " ns", ex);
        }
    }
}
