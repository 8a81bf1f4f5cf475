"""
The fastest way this machine can serve a file over HTTP: sendfile(2), the bytes never in user
space. The storage bench times `curl -o` against it as the bound of a GET here. Prints its
port on stdout, then answers every request with the file named by its argument until killed.
"""
import os
import socket
import sys

path = sys.argv[1]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(8)
print(server.getsockname()[1], flush=True)
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
        with open(path, "rb") as f:
            conn.sendfile(f)
