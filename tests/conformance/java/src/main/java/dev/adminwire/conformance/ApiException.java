package dev.adminwire.conformance;

/** An error answered by the server: its error code (protocol-specs/errors.json) and message. */
public class ApiException extends RuntimeException {
    private final short code;

    public ApiException(int code, String message) {
        super("error " + code + (message == null ? "" : ": " + message));
        this.code = (short) code;
    }

    /** The error code, e.g. 1002 TopicAlreadyExists or Kafka's 3 UNKNOWN_TOPIC_OR_PARTITION. */
    public short code() {
        return code;
    }
}
