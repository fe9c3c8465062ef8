package dev.agentry.runners.manifest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One HTTP answer, read whole but never more than a limit, within a deadline that covers the body too
 * ({@link HttpRequest#timeout()} only covers waiting for the headers).
 */
record Answer(int status, String contentType, byte[] body) {

    /** The answer was larger than the limit; reading stopped there. */
    static final class TooLarge extends IOException {
        TooLarge(int limit) {
            super("the answer is larger than " + limit + " bytes");
        }
    }

    String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    boolean success() {
        return status >= 200 && status < 300;
    }

    static Answer send(HttpClient http, HttpRequest request, int maxBytes, Duration deadline)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, info -> new Bounded(maxBytes));
        try {
            HttpResponse<byte[]> r = future.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
            return new Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new HttpTimeoutException("no complete answer within " + deadline.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while ((cause instanceof java.util.concurrent.CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause == null ? "the request failed" : cause.getClass().getSimpleName(), cause);
        }
    }

    private static final class Bounded implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        Bounded(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : items) {
                if ((long) out.size() + b.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new TooLarge(limit));
                    return;
                }
                byte[] chunk = new byte[b.remaining()];
                b.get(chunk);
                out.writeBytes(chunk);
            }
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }
}
