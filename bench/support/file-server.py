"""
The least a server can spend to serve a file over HTTP on this machine, as the storage bench's
bound for a GET. Prints its port on stdout, then answers every request with the file named by
its first argument until killed. Mode (second argument):
  sendfile  sendfile(2): the bytes never enter user space (the fastest this kernel allows);
  copy      read(2) into a 1 MiB buffer and write(2) it to the socket: the floor for a server
            that passes the bytes through user space, as Node (which has no sendfile) must.
"""
import os
import socket
import sys

path, mode = sys.argv[1], sys.argv[2]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(8)
print(server.getsockname()[1], flush=True)
buffer = bytearray(1 << 20)
while True:
    conn, _ = server.accept()
    with conn:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(65536)
            if not chunk:
                break
            request += chunk
        size = os.path.getsize(path)
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n".encode())
        with open(path, "rb", buffering=0) as f:
            if mode == "sendfile":
                conn.sendfile(f)
            else:
                view = memoryview(buffer)
                while True:
                    n = f.readinto(buffer)
                    if not n:
                        break
                    conn.sendall(view[:n])
