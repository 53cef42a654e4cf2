// docker run -p entries: what the parser makes of them (rows written from the docker CLI's
// rules, go-connections' nat.ParsePortSpecs, which tests/cli/tst_ports.cpp checks against the
// real CLI), the refusals, and where the mappings go in the launch's JSON and exports.
#include "launch/ComposeExport.h"
#include "launch/DockerCreateBody.h"
#include "launch/DockerRunExport.h"
#include "launch/KubernetesExport.h"
#include "launch/LaunchSpec.h"
#include "launch/LibpodCreateBody.h"
#include "launch/PortMapping.h"
#include "launch/PythonExport.h"

#include <QJsonDocument>
#include <QtTest>

class TestPortMapping : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void refused_data();
    void refused();
    void validate_data();
    void validate();
    void createBody();
    void libpod();
    void exports();
    void fromInspect();
};

static QString s(const char *text)
{
    return QString::fromUtf8(text);
}

static QStringList strs(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << s(item);
    return out;
}

static QJsonObject bindingsOf(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

void TestPortMapping::parse_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("bindings"); // HostConfig.PortBindings as the docker CLI sends them
    QTest::newRow("container port only")
        << s("8888") << s(R"({"8888/tcp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("host:container")
        << s("8080:80") << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]})");
    QTest::newRow("loopback") << s("127.0.0.1:8888:8888")
                              << s(R"({"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8888"}]})");
    QTest::newRow("address, engine picks the port")
        << s("127.0.0.1::8888") << s(R"({"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]})");
    QTest::newRow("ipv6 in brackets")
        << s("[::1]:6006:6006") << s(R"({"6006/tcp": [{"HostIp": "::1", "HostPort": "6006"}]})");
    QTest::newRow("ipv6 bare") << s("::1:6006:6006")
                               << s(R"({"6006/tcp": [{"HostIp": "::1", "HostPort": "6006"}]})");
    QTest::newRow("udp") << s("53:53/udp")
                         << s(R"({"53/udp": [{"HostIp": "", "HostPort": "53"}]})");
    QTest::newRow("SCTP upper case")
        << s("5000/SCTP") << s(R"({"5000/sctp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("empty protocol is tcp")
        << s("8888/") << s(R"({"8888/tcp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("ranges") << s("8000-8002:9000-9002")
                            << s(R"({"9000/tcp": [{"HostIp": "", "HostPort": "8000"}],
                                   "9001/tcp": [{"HostIp": "", "HostPort": "8001"}],
                                   "9002/tcp": [{"HostIp": "", "HostPort": "8002"}]})");
    QTest::newRow("container range, engine picks")
        << s("127.0.0.1::7000-7001")
        << s(R"({"7000/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}], "7001/tcp": [{"HostIp": "127.0.0.1", "HostPort": ""}]})");
    QTest::newRow("host pool for one container port")
        << s("8000-8010:80") << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "8000-8010"}]})");
    // docker takes host port 0 (the engine picks) and keeps it as "0".
    QTest::newRow("host port 0") << s("0:80")
                                 << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "0"}]})");
    QTest::newRow("address, host port 0")
        << s("127.0.0.1:0:80") << s(R"({"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "0"}]})");
    QTest::newRow("container port 0")
        << s("0") << s(R"({"0/tcp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("leading zeros")
        << s("8080:080") << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]})");
    QTest::newRow("three-part range reads two")
        << s("1-2-3")
        << s(R"({"1/tcp": [{"HostIp": "", "HostPort": ""}], "2/tcp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("second slash ignored")
        << s("53/udp/x") << s(R"({"53/udp": [{"HostIp": "", "HostPort": ""}]})");
    // The name=value form, as docker run turns it into PUBLISHED:TARGET/PROTOCOL.
    QTest::newRow("name=value") << s("target=80,published=8080,protocol=udp")
                                << s(R"({"80/udp": [{"HostIp": "", "HostPort": "8080"}]})");
    QTest::newRow("name=value, target only")
        << s("target=80") << s(R"({"80/tcp": [{"HostIp": "", "HostPort": ""}]})");
    QTest::newRow("name=value, ranges")
        << s("published=8080-8081,target=80-81")
        << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "8080"}], "81/tcp": [{"HostIp": "", "HostPort": "8081"}]})");
    QTest::newRow("name=value, other names ignored")
        << s("target=80,published=8080,mode=host,host_ip=127.0.0.1")
        << s(R"({"80/tcp": [{"HostIp": "", "HostPort": "8080"}]})");
    QTest::newRow("name=value, last one wins")
        << s("target=80,published=8080,target=81")
        << s(R"({"81/tcp": [{"HostIp": "", "HostPort": "8080"}]})");
}

void TestPortMapping::parse()
{
    QFETCH(QString, entry);
    QFETCH(QString, bindings);
    const Result<PortMapping> parsed = PortMapping::parse(entry);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().why()));
    QCOMPARE(PortMappings::portBindings({entry}), bindingsOf(bindings));
    QJsonObject exposed;
    for (const QString &port : bindingsOf(bindings).keys())
        exposed.insert(port, QJsonObject{});
    QCOMPARE(PortMappings::exposedPorts({entry}), exposed);
    QVERIFY(PortMappings::validate({entry}, QString()).isEmpty());
}

void TestPortMapping::refused_data()
{
    QTest::addColumn<QString>("entry");
    QTest::addColumn<QString>("says");
    QTest::newRow("empty") << s("") << s("empty");
    QTest::newRow("white space") << s("80: 80") << s("white space");
    QTest::newRow("word") << s("http") << s("not a port number");
    QTest::newRow("no container port") << s("8080:") << s("names no container port");
    QTest::newRow("bad address") << s("1.2.3:80:80") << s("not an IPv4 or IPv6 address");
    QTest::newRow("leading zero") << s("010.0.0.1:80:80") << s("not an IPv4 or IPv6 address");
    QTest::newRow("octet too big") << s("256.0.0.1:80:80") << s("not an IPv4 or IPv6 address");
    QTest::newRow("host name") << s("localhost:80:80") << s("not an IPv4 or IPv6 address");
    QTest::newRow("unclosed bracket") << s("[::1:80:80") << s("close it");
    QTest::newRow("too high") << s("70000") << s("out of range");
    QTest::newRow("host too high") << s("70000:80") << s("out of range");
    QTest::newRow("backwards") << s("8010-8000") << s("runs backwards");
    QTest::newRow("lengths differ") << s("8000-8002:80-81") << s("3 host ports");
    QTest::newRow("open range") << s("80-") << s("not a port number");
    QTest::newRow("negative") << s("-80") << s("not a port number");
    QTest::newRow("name=value without target")
        << s("published=8080") << s("names no container port");
    QTest::newRow("name=value, empty target") << s("target=") << s("names no container port");
    QTest::newRow("name=value, empty name") << s("=80") << s("name=value");
    QTest::newRow("name=value, empty field") << s("target=80,,published=1") << s("name=value");
    QTest::newRow("name=value, bad protocol")
        << s("target=80,protocol=quic") << s("not tcp, udp or sctp");
    QTest::newRow("unknown protocol") << s("80/quic") << s("not tcp, udp or sctp");
    QTest::newRow("signed") << s("+80") << s("not a port number");
}

void TestPortMapping::refused()
{
    QFETCH(QString, entry);
    QFETCH(QString, says);
    const Result<PortMapping> parsed = PortMapping::parse(entry);
    QVERIFY(!parsed.ok());
    const QString why = parsed.error().why();
    QVERIFY2(why.contains(says), qPrintable(why));
    // One sentence.
    QVERIFY2(why.endsWith(QLatin1Char('.')) && !why.chopped(1).contains(QLatin1String(". ")),
             qPrintable(why));
    QCOMPARE(PortMappings::portBindings({entry}), QJsonObject());
    const QList<ValidationIssue> issues = PortMappings::validate({entry}, QString());
    QCOMPARE(issues.size(), 1);
    QCOMPARE(issues.first().field, QStringLiteral("ports"));
    QCOMPARE(issues.first().message, why);
}

void TestPortMapping::validate_data()
{
    QTest::addColumn<QStringList>("entries");
    QTest::addColumn<QString>("network");
    QTest::addColumn<bool>("podman");
    QTest::addColumn<QString>("says"); // empty: valid
    QTest::newRow("two ports") << strs({"127.0.0.1:8888:8888", "127.0.0.1:6006:6006"}) << s("lab")
                               << false << s("");
    QTest::newRow("same port twice")
        << strs({"8888:8888", "8888:9999"}) << s("") << false << s("published twice");
    QTest::newRow("all interfaces and loopback")
        << strs({"8888:8888", "127.0.0.1:8888:9999"}) << s("") << false << s("published twice");
    QTest::newRow("two addresses")
        << strs({"127.0.0.1:8888:8888", "127.0.0.2:8888:8889"}) << s("") << false << s("");
    QTest::newRow("tcp and udp") << strs({"53:53", "53:53/udp"}) << s("") << false << s("");
    QTest::newRow("inside a range")
        << strs({"8000-8010:8000-8010", "8005:80"}) << s("") << false << s("8005/tcp");
    QTest::newRow("engine-picked twice") << strs({"8888", "8888"}) << s("") << false << s("");
    QTest::newRow("pools may overlap")
        << strs({"8000-8010:80", "8000-8010:81"}) << s("") << false << s("");
    QTest::newRow("host network") << strs({"8888:8888"}) << s("host") << false
                                  << s("network mode host");
    QTest::newRow("no network") << strs({"8888:8888"}) << s("none") << false
                                << s("network mode none");
    QTest::newRow("another container's network")
        << strs({"8888:8888"}) << s("container:db") << false << s("container:db");
    QTest::newRow("host network, no ports") << QStringList{} << s("host") << false << s("");
    QTest::newRow("podman pool") << strs({"8000-8010:80"}) << s("") << true << s("Podman");
    QTest::newRow("podman ranges") << strs({"8000-8002:9000-9002"}) << s("") << true << s("");
}

void TestPortMapping::validate()
{
    QFETCH(QStringList, entries);
    QFETCH(QString, network);
    QFETCH(bool, podman);
    QFETCH(QString, says);
    const QList<ValidationIssue> issues = PortMappings::validate(entries, network, podman);
    if (says.isEmpty()) {
        QVERIFY2(issues.isEmpty(), qPrintable(issues.value(0).message));
        return;
    }
    QCOMPARE(issues.size(), 1);
    QVERIFY2(issues.first().message.contains(says), qPrintable(issues.first().message));
    QVERIFY(issues.first().message.endsWith(QLatin1Char('.')));
    // The launch's own validation reports it at the "ports" field.
    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    spec.ports = entries;
    spec.networkMode = network;
    const QList<ValidationIssue> all = spec.validate({}, podman ? EngineKind::Podman
                                                                : EngineKind::Docker);
    QCOMPARE(all, issues);
}

void TestPortMapping::createBody()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("jupyter/base-notebook");
    spec.networkMode = QStringLiteral("lab");
    spec.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("[::1]:8888:8888"),
                  QStringLiteral("6006")};
    const QJsonObject body = DockerCreateBody::build(spec);
    QCOMPARE(body.value(QStringLiteral("ExposedPorts")).toObject(),
             bindingsOf(s(R"({"8888/tcp": {}, "6006/tcp": {}})")));
    // Two bindings of one container port are one list, in the order given.
    QCOMPARE(
        body.value(QStringLiteral("HostConfig"))
            .toObject()
            .value(QStringLiteral("PortBindings"))
            .toObject(),
        bindingsOf(s(
            R"({"8888/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8888"}, {"HostIp": "::1", "HostPort": "8888"}],
                            "6006/tcp": [{"HostIp": "", "HostPort": ""}]})")));
    spec.ports.clear();
    QVERIFY(!DockerCreateBody::build(spec).contains(QStringLiteral("ExposedPorts")));
    QVERIFY(!DockerCreateBody::build(spec)
                 .value(QStringLiteral("HostConfig"))
                 .toObject()
                 .contains(QStringLiteral("PortBindings")));
}

void TestPortMapping::libpod()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    spec.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("9000-9002:9000-9002/udp"),
                  QStringLiteral("6006")};
    const QJsonArray mappings =
        LibpodCreateBody::build(spec).value(QStringLiteral("portmappings")).toArray();
    QCOMPARE(mappings, QJsonDocument::fromJson(R"([
        {"container_port": 8888, "host_port": 8888, "host_ip": "127.0.0.1", "protocol": "tcp"},
        {"container_port": 9000, "host_port": 9000, "range": 3, "protocol": "udp"},
        {"container_port": 6006, "protocol": "tcp"}])")
                           .array());
}

void TestPortMapping::exports()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("busybox");
    spec.networkMode = QStringLiteral("lab");
    spec.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("[::1]:8888:8888"),
                  QStringLiteral("6006/udp")};
    const QString line = DockerRunExport::commandLine(spec, false);
    QVERIFY2(line.contains(
                 QLatin1String("-p 127.0.0.1:8888:8888 -p '[::1]:8888:8888' -p 6006/udp")),
             qPrintable(line));
    const QString python = PythonExport::script(spec, false);
    QVERIFY2(
        python.contains(QLatin1String(
            R"(ports={"6006/udp": ("", ""), "8888/tcp": [("127.0.0.1", "8888"), ("::1", "8888")]},)")),
        qPrintable(python));
    const QString compose = ComposeExport::yaml(spec);
    QVERIFY2(compose.contains(QLatin1String(
                 "    ports:\n      - \"127.0.0.1:8888:8888\"\n      - \"[::1]:8888:8888\"\n"
                 "      - \"6006/udp\"\n")),
             qPrintable(compose));
    const Result<QString> kube = KubernetesExport::yaml(spec, {});
    QVERIFY(kube.ok());
    QVERIFY2(kube.value().contains(
                 QLatin1String("- containerPort: 6006\n              protocol: \"UDP\"\n"))
                 && kube.value().contains(
                     QLatin1String("- containerPort: 8888\n              protocol: \"TCP\"\n")),
             qPrintable(kube.value()));
}

void TestPortMapping::fromInspect()
{
    const QJsonObject inspect = QJsonDocument::fromJson(R"({"NetworkSettings": {"Ports": {
        "8888/tcp": [{"HostIp": "0.0.0.0", "HostPort": "49153"}, {"HostIp": "::", "HostPort": "49153"}],
        "6006/tcp": [{"HostIp": "127.0.0.1", "HostPort": "6006"}],
        "9000/tcp": null}}})")
                                    .object();
    const QList<PortMappings::Published> published = PortMappings::fromInspect(inspect);
    QCOMPARE(published.size(), 3);
    QCOMPARE(published.at(0).containerPort, 6006);
    QCOMPARE(published.at(0).hostIp, QStringLiteral("127.0.0.1"));
    QCOMPARE(published.at(1).containerPort, 8888);
    QCOMPARE(published.at(1).hostPort, 49153);
    QCOMPARE(published.at(2).hostIp, QStringLiteral("::"));
}

QTEST_GUILESS_MAIN(TestPortMapping)
#include "tst_portmapping.moc"
