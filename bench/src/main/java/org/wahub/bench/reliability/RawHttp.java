package org.wahub.bench.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as given: the only way to send what a well-behaved
 * client library refuses to (invalid UTF-8 in the request line, NUL in a header, broken chunking,
 * oversized headers). One request per connection ({@code Connection: close}).
 */
final class RawHttp {

  private RawHttp() {
  }

  /** What came back. {@code status} is -1 when the connection closed without an answer, -2 on timeout. */
  record Response(int status, Map<String, String> headers, byte[] body, long millis, String error) {
    boolean answered() {
      return status > 0;
    }

    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    String bodyText(int max) {
      String s = new String(body, StandardCharsets.UTF_8);
      return s.length() > max ? s.substring(0, max) + "…" : s;
    }
  }

  static Response exchange(int port, byte[] request, int timeoutMs) {
    long t0 = System.nanoTime();
    try (Socket s = new Socket()) {
      s.setSoTimeout(timeoutMs);
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), timeoutMs);
      String writeError = null;
      try {
        OutputStream out = s.getOutputStream();
        out.write(request);
        out.flush();
      } catch (IOException e) {
        // the server may answer (413, 431) and close before it read everything: still read its answer
        writeError = e.toString();
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      byte[] chunk = new byte[16384];
      long deadline = t0 + timeoutMs * 1_000_000L;
      Parsed parsed = null;
      try {
        while (true) {
          int n = in.read(chunk);
          if (n < 0) {
            break;
          }
          buf.write(chunk, 0, n);
          parsed = Parsed.tryParse(buf.toByteArray(), false);
          if (parsed != null) {
            break;
          }
          if (System.nanoTime() > deadline) {
            throw new SocketTimeoutException("overall deadline");
          }
        }
      } catch (SocketTimeoutException e) {
        return new Response(-2, Map.of(), buf.toByteArray(), millis(t0), "timeout after " + timeoutMs + " ms");
      } catch (IOException e) {
        // reset: use what arrived
        if (parsed == null) {
          parsed = Parsed.tryParse(buf.toByteArray(), true);
        }
        if (parsed == null) {
          return new Response(-1, Map.of(), buf.toByteArray(), millis(t0), e + (writeError == null ? "" : "; write: " + writeError));
        }
      }
      if (parsed == null) {
        parsed = Parsed.tryParse(buf.toByteArray(), true);
      }
      if (parsed == null) {
        return new Response(-1, Map.of(), buf.toByteArray(), millis(t0),
            "closed without a complete answer" + (writeError == null ? "" : "; write: " + writeError));
      }
      return new Response(parsed.status, parsed.headers, parsed.body, millis(t0), writeError);
    } catch (SocketTimeoutException e) {
      return new Response(-2, Map.of(), new byte[0], millis(t0), "timeout: " + e.getMessage());
    } catch (IOException e) {
      return new Response(-1, Map.of(), new byte[0], millis(t0), e.toString());
    }
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private record Parsed(int status, Map<String, String> headers, byte[] body) {

    /** A complete response in {@code data}, or null; {@code eof}: the connection is closed (body runs to the end). */
    static Parsed tryParse(byte[] data, boolean eof) {
      int headEnd = indexOf(data, new byte[] {'\r', '\n', '\r', '\n'}, 0);
      if (headEnd < 0) {
        return null;
      }
      String head = new String(data, 0, headEnd, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
        return null;
      }
      int status;
      try {
        status = Integer.parseInt(statusLine[1]);
      } catch (NumberFormatException e) {
        return null;
      }
      Map<String, String> headers = new HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0) {
          headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
      }
      int bodyStart = headEnd + 4;
      String length = headers.get("content-length");
      if (length != null) {
        int len;
        try {
          len = Integer.parseInt(length);
        } catch (NumberFormatException e) {
          return null;
        }
        if (data.length - bodyStart < len) {
          return null;
        }
        byte[] body = new byte[len];
        System.arraycopy(data, bodyStart, body, 0, len);
        return new Parsed(status, headers, body);
      }
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int p = bodyStart;
        while (true) {
          int eol = indexOf(data, new byte[] {'\r', '\n'}, p);
          if (eol < 0) {
            return null;
          }
          int size;
          try {
            size = Integer.parseInt(new String(data, p, eol - p, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
          } catch (NumberFormatException e) {
            return null;
          }
          if (size == 0) {
            return new Parsed(status, headers, body.toByteArray());
          }
          if (data.length < eol + 2 + size + 2) {
            return null;
          }
          body.write(data, eol + 2, size);
          p = eol + 2 + size + 2;
        }
      }
      if (!eof) {
        return null;
      }
      byte[] body = new byte[data.length - bodyStart];
      System.arraycopy(data, bodyStart, body, 0, body.length);
      return new Parsed(status, headers, body);
    }

    private static int indexOf(byte[] data, byte[] needle, int from) {
      outer:
      for (int i = from; i <= data.length - needle.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (data[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
