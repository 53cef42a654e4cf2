#include "PortForwarder.h"

#include <QHostAddress>
#include <QTcpServer>

PortForwarder::~PortForwarder() = default;

int PortForwarder::freeLocalPort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
