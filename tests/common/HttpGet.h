#pragma once

#include <QElapsedTimer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

// An HTTP/1.0 GET of url's path at its host and port, tried again until something answers or
// timeoutMs pass (a server in a container may not listen yet); the whole reply, or empty.
inline QByteArray httpGet(const QUrl &url, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < timeoutMs) {
        QTcpSocket socket;
        socket.connectToHost(url.host(), quint16(url.port()));
        if (socket.waitForConnected(2000)) {
            socket.write("GET " + url.path().toUtf8() + " HTTP/1.0\r\nHost: gpudeck\r\n\r\n");
            QByteArray reply;
            while (socket.state() == QAbstractSocket::ConnectedState
                   && socket.waitForReadyRead(5000))
                reply += socket.readAll();
            reply += socket.readAll();
            if (reply.startsWith("HTTP/1."))
                return reply;
        }
        QTest::qWait(100);
    }
    return {};
}
