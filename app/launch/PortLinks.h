#pragma once

#include "PortMapping.h"
#include "common/Error.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

class DockerClient;
class PortForwarder;

// The published ports of a running container as addresses this machine can open, and the URLs the
// container prints (Jupyter's http://127.0.0.1:8888/lab?token=…, TensorBoard's
// http://HOSTNAME:6006/) rewritten to them. The bindings are read back from the container's
// inspect, so a port the engine picked is known. On an ssh:// engine each published TCP port is
// forwarded over the engine's ssh connection (ssh -O forward against its control master) to a free
// port of this machine's 127.0.0.1; close() cancels the forwards (the owner calls it when the
// container ends), and so does the destructor.
class PortLinks : public QObject
{
    Q_OBJECT

public:
    struct Link
    {
        PortMappings::Published published; // on the engine's host
        QUrl url;                          // http://HOST:PORT/ that opens it from here
        bool forwarded = false;            // through the ssh connection
    };

    struct Match
    {
        qsizetype start = 0;
        qsizetype length = 0;
        QUrl target; // the rewritten URL
    };

    explicit PortLinks(DockerClient *client, QObject *parent = nullptr);
    ~PortLinks() override;

    // Inspects the container and sets up the links; ready() or failed() follows.
    void open(const QString &containerId);
    void close();

    bool isReady() const { return m_ready; }
    const QList<Link> &links() const { return m_links; }
    // Every published port, TCP or not, as inspect reported it.
    const QList<PortMappings::Published> &published() const { return m_published; }

    // Which printed host names mean the container itself: loopback, the unspecified addresses,
    // localhost, and the container's host name and addresses from its inspect.
    void setContainerHosts(const QStringList &hosts) { m_containerHosts = hosts; }
    void setLinks(const QList<Link> &links);

    // The URL to open for one the container printed; invalid when it names no published port of
    // the container.
    QUrl rewrite(const QUrl &printed) const;
    // The URLs in a line of output that rewrite() maps, with where they are.
    QList<Match> find(const QString &text) const;

    // Where a binding on the engine's host is reached from this machine for a local or tcp://
    // engine; empty when it cannot be (a loopback binding of another machine).
    static QString reachableHost(const PortMappings::Published &published,
                                 const QString &engineHost, bool local);

signals:
    void ready();
    void failed(const Error &error);

private:
    void onInspected(const QJsonObject &inspect);
    void forwardNext();
    void finish();

    // The engine's forwarder while the client lives (it owns the connection), when ports go
    // through it.
    PortForwarder *forwarder() const;

    QPointer<DockerClient> m_client;
    bool m_forwarding = false;
    QList<PortMappings::Published> m_published;
    QList<Link> m_links;
    QList<Link> m_pending; // ssh forwards still to set up
    QStringList m_containerHosts;
    QObject *m_calls = nullptr;
    bool m_ready = false;
};
