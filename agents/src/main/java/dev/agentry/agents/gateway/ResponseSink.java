package dev.agentry.agents.gateway;

import java.io.IOException;
import java.util.Map;

/** Where the gateway writes its answer: the HTTP layer's response, written as the provider's reply arrives. */
public interface ResponseSink {
    /** Called once, before any body: the status and the headers to send. */
    void start(int status, Map<String, String> headers) throws IOException;

    /** Writes a chunk of the body and flushes it to the client. An exception means the client is gone. */
    void write(byte[] chunk, int offset, int length) throws IOException;

    /** Completes the response. */
    void finish() throws IOException;
}
