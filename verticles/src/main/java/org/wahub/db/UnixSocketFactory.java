package org.wahub.db;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Lets pgjdbc talk to the embedded server over its Unix socket (JDK 16+ domain sockets, no native
 * library): {@code socketFactory=org.wahub.db.UnixSocketFactory}, {@code socketFactoryArg=<socket dir>}.
 * The hub uses it once, to set the passwords of a data directory that has none yet: the socket's
 * directory is 0700, so only the hub's own OS user can reach the server while that happens, and
 * nothing has to listen on TCP without a password.
 */
public final class UnixSocketFactory extends SocketFactory {

  private final Path directory;

  public UnixSocketFactory(String directory) {
    this.directory = Path.of(directory);
  }

  /** PostgreSQL's socket file for {@code port} in {@code directory}. */
  public static Path socketFile(Path directory, int port) {
    return directory.resolve(".s.PGSQL." + port);
  }

  @Override
  public Socket createSocket() {
    return new UnixSocket(directory);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    Socket s = createSocket();
    s.connect(InetSocketAddress.createUnresolved(host, port));
    return s;
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return createSocket(host, port);
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return createSocket(host.getHostAddress(), port);
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
    return createSocket(address, port);
  }

  /**
   * The subset of {@link Socket} pgjdbc uses, over a blocking domain-socket channel. TCP options
   * are accepted and ignored; a read time-out is not supported (the server is local).
   */
  private static final class UnixSocket extends Socket {
    private final Path directory;
    private SocketChannel channel;
    private InputStream in;
    private OutputStream out;
    private int soTimeout;

    UnixSocket(Path directory) {
      this.directory = directory;
    }

    @Override
    public void connect(SocketAddress endpoint) throws IOException {
      connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
      if (!(endpoint instanceof InetSocketAddress inet)) {
        throw new SocketException("expected a host and port, got " + endpoint);
      }
      channel = SocketChannel.open(UnixDomainSocketAddress.of(socketFile(directory, inet.getPort())));
      in = Channels.newInputStream(channel);
      out = Channels.newOutputStream(channel);
    }

    @Override
    public void bind(SocketAddress bindpoint) {
      // a client domain socket needs no local address
    }

    @Override
    public boolean isConnected() {
      return channel != null && channel.isConnected();
    }

    @Override
    public boolean isClosed() {
      return channel != null && !channel.isOpen();
    }

    @Override
    public InputStream getInputStream() throws IOException {
      if (in == null) {
        throw new SocketException("not connected");
      }
      return in;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
      if (out == null) {
        throw new SocketException("not connected");
      }
      return out;
    }

    @Override
    public synchronized void close() throws IOException {
      if (channel != null) {
        channel.close();
      }
    }

    @Override
    public void setTcpNoDelay(boolean on) {
    }

    @Override
    public boolean getTcpNoDelay() {
      return true;
    }

    @Override
    public void setKeepAlive(boolean on) {
    }

    @Override
    public boolean getKeepAlive() {
      return false;
    }

    @Override
    public synchronized void setSoTimeout(int timeout) {
      soTimeout = timeout;
    }

    @Override
    public synchronized int getSoTimeout() {
      return soTimeout;
    }

    @Override
    public synchronized void setReceiveBufferSize(int size) {
    }

    @Override
    public synchronized int getReceiveBufferSize() {
      return 65_536;
    }

    @Override
    public synchronized void setSendBufferSize(int size) {
    }

    @Override
    public synchronized int getSendBufferSize() {
      return 65_536;
    }

    @Override
    public void shutdownInput() throws IOException {
      channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
      channel.shutdownOutput();
    }
  }
}
