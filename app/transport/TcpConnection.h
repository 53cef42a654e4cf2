#pragma once

#include "Connection.h"
#include "common/Result.h"

#include <QSslConfiguration>

#include <optional>

class QSslSocket;
class QTcpSocket;

// TLS settings of a tcp:// engine, as DOCKER_TLS_VERIFY/DOCKER_CERT_PATH or a context give them.
struct TlsSettings
{
    bool verifyPeer = true;
    QString caFile;   // ca.pem: the engine's certificate must chain to it
    QString certFile; // cert.pem and key.pem: our client certificate, when the engine asks
    QString keyFile;

    // Reads the files; the error names the file that could not be used.
    Result<QSslConfiguration> configuration() const;
};

// TCP, in the clear or with TLS. TLS offers only http/1.1 in ALPN (dockerd also offers h2, which
// this client does not speak) and checks the engine's certificate against the CA and the host name.
class TcpConnection : public Connection
{
    Q_OBJECT

public:
    TcpConnection(QString host, quint16 port, std::optional<QSslConfiguration> tls,
                  QObject *parent);

    void open() override;
    bool isConnected() const override;
    QString peer() const override;

protected:
    qintptr descriptor() const override;
    qint64 pendingEncryptedBytes() const override;
    void flushDevice() override;

private:
    void onError();
    void onSslErrors();

    QString m_host;
    quint16 m_port;
    bool m_tls;
    QTcpSocket *m_socket;
    bool m_ready = false;
};

class TcpConnector : public Connector
{
public:
    TcpConnector(QString host, quint16 port, std::optional<QSslConfiguration> tls)
        : m_host(std::move(host)), m_port(port), m_tls(std::move(tls))
    {
    }
    Connection *create(QObject *parent) override
    {
        return new TcpConnection(m_host, m_port, m_tls, parent);
    }
    QString describe() const override;

private:
    QString m_host;
    quint16 m_port;
    std::optional<QSslConfiguration> m_tls;
};
