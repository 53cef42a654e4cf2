#include "PortLinks.h"

#include "engine/DockerClient.h"
#include "transport/PortForwarder.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QRegularExpression>

namespace {

bool isUnspecified(const QString &ip)
{
    return ip.isEmpty() || ip == QLatin1String("0.0.0.0") || ip == QLatin1String("::");
}

bool isLoopback(const QString &host)
{
    return host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0
           || QHostAddress(host).isLoopback();
}

// What the engine's host connects to for a binding: its loopback for one on every interface.
QString forwardTarget(const PortMappings::Published &published)
{
    if (published.hostIp == QLatin1String("::"))
        return QStringLiteral("::1");
    return isUnspecified(published.hostIp) ? PortMapping::loopback() : published.hostIp;
}

QUrl linkUrl(const QString &host, int port)
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(host);
    url.setPort(port);
    url.setPath(QStringLiteral("/"));
    return url;
}

} // namespace

PortLinks::PortLinks(DockerClient *client, QObject *parent) : QObject(parent), m_client(client) { }

PortLinks::~PortLinks()
{
    close();
}

QString PortLinks::reachableHost(const PortMappings::Published &published,
                                 const QString &engineHost, bool local)
{
    if (local)
        return forwardTarget(published);
    if (isUnspecified(published.hostIp))
        return engineHost;
    // A loopback binding is reachable only from the engine's own host.
    if (QHostAddress(published.hostIp).isLoopback() && !isLoopback(engineHost))
        return {};
    return published.hostIp;
}

void PortLinks::open(const QString &containerId)
{
    close();
    m_calls = new QObject(this);
    m_client->inspectContainer(containerId, m_calls, [this](const Result<QJsonObject> &inspect) {
        if (!inspect) {
            emit failed(inspect.error());
            return;
        }
        onInspected(inspect.value());
    });
}

void PortLinks::onInspected(const QJsonObject &inspect)
{
    m_published = PortMappings::fromInspect(inspect);
    const QJsonObject config = inspect.value(QStringLiteral("Config")).toObject();
    QStringList hosts;
    const QString hostname = config.value(QStringLiteral("Hostname")).toString();
    if (!hostname.isEmpty()) {
        hosts << hostname;
        const QString domain = config.value(QStringLiteral("Domainname")).toString();
        if (!domain.isEmpty())
            hosts << hostname + QLatin1Char('.') + domain;
    }
    const QJsonObject networks = inspect.value(QStringLiteral("NetworkSettings"))
                                     .toObject()
                                     .value(QStringLiteral("Networks"))
                                     .toObject();
    for (const QJsonValue &network : networks) {
        for (const char *key : {"IPAddress", "GlobalIPv6Address"}) {
            const QString address = network.toObject().value(QLatin1String(key)).toString();
            if (!address.isEmpty())
                hosts << address;
        }
    }
    m_containerHosts = hosts;

    const Endpoint &endpoint = m_client->endpoint();
    // Over the engine's own connection where it can forward (ssh://), else straight to the host.
    const bool ssh = m_client->portForwarder() != nullptr;
    m_forwarding = ssh;
    QList<int> seen;
    for (const PortMappings::Published &published : std::as_const(m_published)) {
        // One link per container port: docker reports a port on every interface once for IPv4
        // and once for IPv6.
        if (published.protocol != QLatin1String("tcp") || seen.contains(published.containerPort))
            continue;
        Link link;
        link.published = published;
        if (ssh) {
            const int local = PortForwarder::freeLocalPort();
            if (local == 0)
                continue;
            link.url = linkUrl(PortMapping::loopback(), local);
            link.forwarded = true;
            m_pending.append(link);
        } else {
            const QString host = reachableHost(published, endpoint.host, !endpoint.isRemote());
            if (host.isEmpty())
                continue;
            link.url = linkUrl(host, published.hostPort);
            m_links.append(link);
        }
        seen.append(published.containerPort);
    }
    forwardNext();
}

void PortLinks::forwardNext()
{
    PortForwarder *forwarder = this->forwarder();
    if (m_pending.isEmpty() || !forwarder) {
        finish();
        return;
    }
    const Link link = m_pending.takeFirst();
    forwarder->forwardPort(link.url.port(), forwardTarget(link.published), link.published.hostPort,
                           m_calls, [this, link](const Error &error) {
                               if (error.isError()) {
                                   emit failed(error);
                               } else {
                                   m_links.append(link);
                               }
                               forwardNext();
                           });
}

void PortLinks::finish()
{
    m_ready = true;
    emit ready();
}

void PortLinks::close()
{
    delete m_calls; // drops the callbacks of calls in flight
    m_calls = nullptr;
    m_pending.clear();
    PortForwarder *forwarder = this->forwarder();
    for (const Link &link : std::as_const(m_links)) {
        if (link.forwarded && forwarder)
            forwarder->cancelForward(link.url.port(), forwardTarget(link.published),
                                     link.published.hostPort);
    }
    m_links.clear();
    m_ready = false;
}

PortForwarder *PortLinks::forwarder() const
{
    return m_forwarding && m_client ? m_client->portForwarder() : nullptr;
}

void PortLinks::setLinks(const QList<Link> &links)
{
    m_links = links;
    m_ready = true;
}

QUrl PortLinks::rewrite(const QUrl &printed) const
{
    if (!printed.isValid()
        || (printed.scheme() != QLatin1String("http")
            && printed.scheme() != QLatin1String("https")))
        return {};
    const QString host = printed.host();
    const bool self = isLoopback(host) || isUnspecified(host)
                      || m_containerHosts.contains(host, Qt::CaseInsensitive);
    if (!self)
        return {};
    const int port = printed.port(printed.scheme() == QLatin1String("https") ? 443 : 80);
    for (const Link &link : m_links) {
        if (link.published.containerPort != port)
            continue;
        QUrl target = printed;
        target.setHost(link.url.host());
        target.setPort(link.url.port());
        return target;
    }
    return {};
}

QList<PortLinks::Match> PortLinks::find(const QString &text) const
{
    QList<Match> matches;
    if (m_links.isEmpty() || !text.contains(QLatin1String("://")))
        return matches;
    static const QRegularExpression url(QStringLiteral("https?://[^\\s<>\"'`]+"));
    for (auto it = url.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        QString candidate = m.captured();
        // Punctuation that ends a sentence or closes brackets is not part of the URL.
        while (!candidate.isEmpty() && QStringLiteral(".,;:!?)]}").contains(candidate.back()))
            candidate.chop(1);
        const QUrl target = rewrite(QUrl(candidate, QUrl::StrictMode));
        if (target.isValid())
            matches.append({m.capturedStart(), candidate.size(), target});
    }
    return matches;
}
