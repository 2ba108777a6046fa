package org.wahub.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * Secrets the hub keeps on disk (database passwords, a generated admin key): one value per file,
 * mode 0600 from the moment the file exists (created with those permissions, then moved into
 * place, so there is no instant in which another user could open it). Blocking file I/O.
 */
public final class SecretFiles {

  public static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  public static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  private static final SecureRandom RANDOM = new SecureRandom();

  private SecretFiles() {
  }

  /** 256 random bits, base64url: nothing in it needs quoting in SQL, a URL or a shell. */
  public static String newPassword() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The secret in {@code file}, or a new one written there first. Tightens a too-open file to 0600. */
  public static String readOrCreate(Path file) throws IOException {
    if (!Files.exists(file)) {
      try {
        write(file, newPassword(), false);
      } catch (FileAlreadyExistsException e) {
        // another process wrote it first: use theirs
      }
    }
    return read(file);
  }

  public static String read(Path file) throws IOException {
    if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY_FILE)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
    }
    String value = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (value.isEmpty()) {
      throw new IOException("the secret file " + file + " is empty; delete it only if you know what it guards");
    }
    return value;
  }

  /** Writes {@code value} to {@code file} (0600), replacing an existing file only if {@code replace}. */
  public static void write(Path file, String value, boolean replace) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName() + "-", ".tmp",
        PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
    try {
      Files.writeString(tmp, value + "\n", StandardCharsets.UTF_8);
      if (replace) {
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } else {
        // without REPLACE_EXISTING the move fails if the name exists: never overwrites a secret
        Files.move(tmp, file);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Creates {@code dir} if needed and makes it 0700. */
  public static Path ownerOnlyDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!Files.getPosixFilePermissions(dir).equals(OWNER_ONLY_DIR)) {
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    }
    return dir;
  }
}
