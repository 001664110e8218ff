package dev.adminwire.conformance;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's primitive encodings, as docs/protocol.md ("Encoding", "Framing and headers") gives them:
 * big-endian integers, classic and compact strings and arrays, unsigned varints, tagged fields.
 * A {@link Writer} or {@link Reader} is classic or flexible for the whole message.
 */
public final class Wire {
    private Wire() {}

    /** Bytes that cannot be decoded, or a value the chosen version cannot carry. */
    public static final class CodecException extends RuntimeException {
        public CodecException(String message) {
            super(message);
        }
    }

    public static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final boolean flexible;

        public Writer(boolean flexible) {
            this.flexible = flexible;
        }

        public Writer int8(int v) {
            out.write(v);
            return this;
        }

        public Writer int16(int v) {
            out.write(v >>> 8);
            out.write(v);
            return this;
        }

        public Writer int32(int v) {
            int16(v >>> 16);
            return int16(v);
        }

        public Writer int64(long v) {
            int32((int) (v >>> 32));
            return int32((int) v);
        }

        public Writer bool(boolean v) {
            return int8(v ? 1 : 0);
        }

        public Writer uvarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        public Writer raw(byte[] b) {
            out.write(b, 0, b.length);
            return this;
        }

        /** STRING / COMPACT_STRING; null only where the field is nullable (checked by callers). */
        public Writer string(String s) {
            if (s == null) {
                return flexible ? uvarint(0) : int16(-1);
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (flexible) {
                if (b.length > Integer.MAX_VALUE - 1) {
                    throw new CodecException("string too long for a compact string");
                }
                uvarint(b.length + 1L);
            } else {
                if (b.length > Short.MAX_VALUE) {
                    throw new CodecException(
                            "a " + b.length + "-byte string does not fit a version 0 STRING (max 32767)");
                }
                int16(b.length);
            }
            return raw(b);
        }

        /** The length of an ARRAY / COMPACT_ARRAY; -1 for null. */
        public Writer arrayLength(int n) {
            if (n < 0) {
                return flexible ? uvarint(0) : int32(-1);
            }
            return flexible ? uvarint(n + 1L) : int32(n);
        }

        /** An empty tagged-field section, in flexible versions only. */
        public Writer tags() {
            if (flexible) {
                uvarint(0);
            }
            return this;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }

    public static final class Reader {
        private final ByteBuffer buf;
        final boolean flexible;

        public Reader(byte[] data, boolean flexible) {
            this.buf = ByteBuffer.wrap(data);
            this.flexible = flexible;
        }

        private void need(int n, String what) {
            if (n < 0 || n > buf.remaining()) {
                throw new CodecException(what + ": needs " + n + " bytes, " + buf.remaining() + " left");
            }
        }

        public int int8(String what) {
            need(1, what);
            return buf.get();
        }

        public int int16(String what) {
            need(2, what);
            return buf.getShort();
        }

        public int int32(String what) {
            need(4, what);
            return buf.getInt();
        }

        public long int64(String what) {
            need(8, what);
            return buf.getLong();
        }

        public boolean bool(String what) {
            int b = int8(what);
            if (b != 0 && b != 1) {
                throw new CodecException(what + ": boolean byte " + b);
            }
            return b == 1;
        }

        public long uvarint(String what) {
            long v = 0;
            for (int i = 0; i < 5; i++) {
                int b = int8(what) & 0xFF;
                v |= (long) (b & 0x7F) << (7 * i);
                if ((b & 0x80) == 0) {
                    if (v > 0xFFFFFFFFL) {
                        throw new CodecException(what + ": varint overflows 32 bits");
                    }
                    return v;
                }
            }
            throw new CodecException(what + ": varint longer than 5 bytes");
        }

        public byte[] raw(int n, String what) {
            need(n, what);
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        public String string(boolean nullable, String what) {
            long n = flexible ? uvarint(what) - 1 : int16(what);
            if (n < 0) {
                if (n != -1 || !nullable) {
                    throw new CodecException(what + ": null, but not nullable");
                }
                return null;
            }
            if (n > buf.remaining()) {
                throw new CodecException(what + ": length " + n + " past the end");
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw((int) n, what)))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new CodecException(what + ": invalid UTF-8");
            }
        }

        /** An array's length, -1 for null (only if nullable), bounded by the bytes left. */
        public int arrayLength(boolean nullable, String what) {
            long n = flexible ? uvarint(what) - 1 : int32(what);
            if (n < 0) {
                if (n != -1 || !nullable) {
                    throw new CodecException(what + ": null array, but not nullable");
                }
                return -1;
            }
            if (n > buf.remaining()) {
                throw new CodecException(what + ": " + n + " elements, " + buf.remaining() + " bytes left");
            }
            return (int) n;
        }

        /** A nullable struct's presence byte: false for -1, true for 1. */
        public boolean present(String what) {
            int b = int8(what);
            if (b != -1 && b != 1) {
                throw new CodecException(what + ": presence byte " + b);
            }
            return b == 1;
        }

        /** Reads a tagged-field section (flexible only): tag to raw bytes, ascending tags. */
        public List<long[]> tags(String what, TagHandler handler) {
            return flexible ? tagSection(what, handler) : new ArrayList<>();
        }

        /**
         * A tagged-field section whatever this reader's mode: a header's (the header v1/v2 is not
         * otherwise flexible: its client_id stays a classic string).
         */
        public List<long[]> tagSection(String what, TagHandler handler) {
            List<long[]> unknown = new ArrayList<>();
            long count = uvarint(what + " tag count");
            long last = -1;
            for (long i = 0; i < count; i++) {
                long tag = uvarint(what + " tag");
                if (tag <= last) {
                    throw new CodecException(what + ": tags out of order");
                }
                last = tag;
                int size = (int) uvarint(what + " tag size");
                byte[] data = raw(size, what + " tag " + tag);
                if (handler == null || !handler.handle(tag, new Reader(data, true))) {
                    unknown.add(new long[] {tag, size});
                }
            }
            return unknown;
        }

        public int remaining() {
            return buf.remaining();
        }

        public void end(String what) {
            if (buf.remaining() != 0) {
                throw new CodecException(what + ": " + buf.remaining() + " trailing bytes");
            }
        }
    }

    /** Decodes a known tag from its own reader; returns false to leave it unknown (skipped). */
    public interface TagHandler {
        boolean handle(long tag, Reader r);
    }

    /** Request header v1 (classic) or v2 (flexible); client_id is always a classic string. */
    public static byte[] requestHeader(int apiKey, int version, int correlationId, String clientId, boolean flexible) {
        Writer w = new Writer(false);
        w.int16(apiKey).int16(version).int32(correlationId).string(clientId);
        if (flexible) {
            w.uvarint(0);
        }
        return w.bytes();
    }

    public static byte[] frame(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + size);
        b.putInt(size);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }
}
