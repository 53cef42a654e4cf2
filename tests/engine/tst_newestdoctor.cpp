// The doctor on engines no test machine has: a fake engine (a QLocalServer) answering like
// Docker 29.2, whose --gpus goes through CDI and fails with "no known GPU vendor" without an
// NVIDIA spec, and like a Docker that no longer accepts any API GPU Deck speaks. And the
// toolkit's nvidia-cdi-refresh units, which no test machine runs under systemd: a stand-in
// systemctl on PATH answers `systemctl show` as systemd does in each state.
#include "RequestHeads.h"
#include "doctor/Doctor.h"
#include "engine/DockerClient.h"
#include "engine/Endpoint.h"
#include "gpu/GpuInventory.h"

#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <functional>
#include <memory>

namespace {

// Reads whole requests (head and Content-Length body) and answers each by its request line.
class FakeEngine
{
public:
    using Answer = std::function<QByteArray(const QByteArray &requestLine)>;

    explicit FakeEngine(Answer answer) : m_answer(std::move(answer))
    {
        QObject::connect(&m_server, &QLocalServer::newConnection, &m_server, [this]() {
            while (QLocalSocket *peer = m_server.nextPendingConnection())
                accept(peer);
        });
    }
    bool listen() { return m_dir.isValid() && m_server.listen(path()); }
    QString path() const { return m_dir.filePath(QStringLiteral("docker.sock")); }
    Endpoint endpoint() const
    {
        return EndpointResolver::fromUrl(path(), QStringLiteral("test")).value();
    }
    QList<QByteArray> requests;

private:
    void accept(QLocalSocket *peer)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(peer, &QLocalSocket::readyRead, peer, [this, peer, buffer]() {
            buffer->append(peer->readAll());
            for (const QByteArray &head : takeRequestHeads(buffer.get())) {
                const QByteArray requestLine = requestLineOf(head);
                requests.append(requestLine);
                peer->write(m_answer(requestLine));
            }
        });
        QObject::connect(peer, &QLocalSocket::disconnected, peer, &QObject::deleteLater);
    }

    QTemporaryDir m_dir;
    QLocalServer m_server;
    Answer m_answer;
};

QByteArray answer(const QByteArray &status, const QByteArray &api, const QByteArray &body)
{
    return "HTTP/1.1 " + status + "\r\nApi-Version: " + api
           + "\r\nContent-Type: application/json\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Docker 29.2 as it answers a doctor: CDI on (spec directory specDir, empty), the probe's start
// refused the way 29.2 refuses --gpus without an NVIDIA CDI spec.
QByteArray docker292(const QByteArray &line, const QString &specDir)
{
    const QByteArray api = "1.52";
    if (line.startsWith("GET /_ping"))
        return answer("200 OK", api, "OK");
    if (line.contains("/info "))
        return answer("200 OK", api,
                      R"({"ServerVersion": "29.2.0", "Runtimes": {"runc": {}},)"
                      R"( "DefaultRuntime": "runc", "CDISpecDirs": [")"
                          + specDir.toUtf8() + R"("], "DiscoveredDevices": []})");
    if (line.contains("/images/json"))
        return answer("200 OK", api,
                      R"([{"Id": "sha256:0123456789ab", "RepoTags": ["gpudeck-test:latest"],)"
                      R"( "Size": 1, "Created": 1796533130, "Labels": {}}])");
    if (line.contains("/containers/create"))
        return answer("201 Created", api, R"({"Id": "probe1", "Warnings": []})");
    if (line.contains("/containers/probe1/start"))
        return answer("500 Internal Server Error", api,
                      R"({"message": "failed to discover GPU vendor from CDI: no known GPU )"
                      R"(vendor found"})");
    if (line.startsWith("DELETE"))
        return "HTTP/1.1 204 No Content\r\nApi-Version: 1.52\r\n\r\n";
    return answer("404 Not Found", api, R"({"message": "page not found"})");
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QJsonObject checkById(const Doctor &doctor, const QString &id)
{
    for (const QJsonValue &check : doctor.toJson().value(QStringLiteral("checks")).toArray()) {
        if (check[QStringLiteral("id")].toString() == id)
            return check.toObject();
    }
    return {};
}

} // namespace

class TestNewestDoctor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // No NVIDIA driver here: the driver line fails, the engine's lines are what is checked.
        qputenv("GPUDECK_NVML_PATH", "/nonexistent/libnvidia-ml.so.1");
        qputenv("PATH", "/nonexistent");
    }

    void docker292GpusThroughCdi()
    {
        QTemporaryDir specDir;
        QVERIFY(specDir.isValid());
        FakeEngine engine([&](const QByteArray &line) { return docker292(line, specDir.path()); });
        QVERIFY(engine.listen());
        DockerClient client(engine.endpoint());
        GpuInventory inventory;
        Doctor doctor(&client, &inventory);
        doctor.run();
        QTRY_VERIFY_WITH_TIMEOUT(doctor.isFinished(), 30000);

        const QJsonObject engineCheck = checkById(doctor, QStringLiteral("engine"));
        QCOMPARE(engineCheck.value(QStringLiteral("status")).toString(), QStringLiteral("pass"));
        // GPU Deck's newest API, not the engine's 1.52.
        QVERIFY2(engineCheck.value(QStringLiteral("detail"))
                     .toString()
                     .contains(QStringLiteral("API 1.%1").arg(DockerClient::kMaxApiMinor)),
                 qPrintable(engineCheck.value(QStringLiteral("detail")).toString()));
        const QJsonObject request = checkById(doctor, QStringLiteral("gpu-request"));
        QCOMPARE(request.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
        QVERIFY2(request.value(QStringLiteral("detail"))
                     .toString()
                     .contains(QLatin1String("no known GPU vendor")),
                 qPrintable(request.value(QStringLiteral("detail")).toString()));
        const QString fix = request.value(QStringLiteral("fix")).toString();
        QVERIFY2(fix.contains(QLatin1String("Docker 29.2")) && fix.contains(QLatin1String("hook")),
                 qPrintable(fix));
        QCOMPARE(request.value(QStringLiteral("command")).toString(),
                 QStringLiteral("sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml"));
        QVERIFY(!doctor.passed());
        // The probe container is removed whatever happened.
        QTRY_VERIFY(std::any_of(engine.requests.cbegin(), engine.requests.cend(),
                                [](const QByteArray &line) {
                                    return line.startsWith("DELETE")
                                           && line.contains("/containers/probe1");
                                }));
    }

    void cdiRefreshUnit_data()
    {
        QTest::addColumn<bool>("haveSystemctl");
        QTest::addColumn<QByteArray>("out");
        QTest::addColumn<QByteArray>("err");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<bool>("cdiPreset");
        QTest::addColumn<QString>("status");
        QTest::addColumn<QString>("detail"); // a part of the detail
        QTest::addColumn<QString>("command");

        const QByteArray waiting = "Id=nvidia-cdi-refresh.path\nLoadState=loaded\n"
                                   "ActiveState=active\nSubState=waiting\n"
                                   "UnitFileState=enabled\nResult=success\n\n";
        const QByteArray disabled = "Id=nvidia-cdi-refresh.path\nLoadState=loaded\n"
                                    "ActiveState=inactive\nSubState=dead\n"
                                    "UnitFileState=disabled\nResult=success\n\n";
        const QByteArray ranOk = "Id=nvidia-cdi-refresh.service\nLoadState=loaded\n"
                                 "ActiveState=inactive\nSubState=dead\nUnitFileState=enabled\n"
                                 "Result=success\n";
        const QByteArray ranFailed = "Id=nvidia-cdi-refresh.service\nLoadState=loaded\n"
                                     "ActiveState=failed\nSubState=failed\n"
                                     "UnitFileState=enabled\nResult=exit-code\n";
        const QByteArray notFound = "Id=nvidia-cdi-refresh.path\nLoadState=not-found\n"
                                    "ActiveState=inactive\nSubState=dead\nUnitFileState=\n"
                                    "Result=success\n\nId=nvidia-cdi-refresh.service\n"
                                    "LoadState=not-found\nActiveState=inactive\nSubState=dead\n"
                                    "UnitFileState=\nResult=success\n";
        const QString generate = QStringLiteral(
            "sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml");

        QTest::newRow("enabled and waiting")
            << true << waiting + ranOk << QByteArray() << 0 << false << "pass"
            << "nvidia-cdi-refresh.path is active, waiting, enabled" << QString();
        QTest::newRow("disabled") << true << disabled + ranOk << QByteArray() << 0 << false
                                  << "warn"
                                  << "nvidia-cdi-refresh.path is inactive, dead, disabled"
                                  << "sudo systemctl enable --now nvidia-cdi-refresh.path";
        QTest::newRow("last refresh failed, a CDI preset")
            << true << waiting + ranFailed << QByteArray() << 0 << true << "fail"
            << "The last CDI refresh failed"
            << "sudo systemctl restart nvidia-cdi-refresh.service";
        QTest::newRow("last refresh failed, no CDI preset")
            << true << waiting + ranFailed << QByteArray() << 0 << false << "warn"
            << "(exit-code)"
            << "sudo systemctl restart nvidia-cdi-refresh.service";
        QTest::newRow("not installed, a CDI preset")
            << true << notFound << QByteArray() << 0 << true << "warn"
            << "systemd has no nvidia-cdi-refresh.path" << generate;
        QTest::newRow("not installed") << true << notFound << QByteArray() << 0 << false << "skip"
                                       << "systemd has no nvidia-cdi-refresh.path" << QString();
        // What systemctl says in a container, or on a machine that boots another init.
        QTest::newRow("systemd not running")
            << true << QByteArray()
            << QByteArray("System has not been booted with systemd as init system (PID 1). "
                          "Can't operate.\nFailed to connect to bus: Host is down\n")
            << 1 << true << "skip"
            << "Not applicable: systemd does not run here" << QString();
        QTest::newRow("no systemctl")
            << false << QByteArray() << QByteArray() << 0 << true << "skip"
            << "no systemd (no systemctl)" << QString();
    }

    void cdiRefreshUnit()
    {
        QFETCH(bool, haveSystemctl);
        QFETCH(QByteArray, out);
        QFETCH(QByteArray, err);
        QFETCH(int, exitCode);
        QFETCH(bool, cdiPreset);
        QTemporaryDir bin;
        QVERIFY(bin.isValid());
        if (haveSystemctl) {
            QVERIFY(writeFile(bin.filePath(QStringLiteral("out")), out));
            QVERIFY(writeFile(bin.filePath(QStringLiteral("err")), err));
            // Records what it was asked, answers as systemd would.
            // (PATH holds only this directory: the shell's builtins and /bin/cat.)
            const QByteArray script =
                "#!/bin/sh\nd=\"${0%/*}\"\nprintf '%s\\n' \"$@\" > \"$d/args\"\n"
                "/bin/cat \"$d/out\"\n/bin/cat \"$d/err\" >&2\nexit "
                + QByteArray::number(exitCode) + "\n";
            const QString path = bin.filePath(QStringLiteral("systemctl"));
            QVERIFY(writeFile(path, script));
            QVERIFY(QFile::setPermissions(path,
                                          QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        }
        const QByteArray oldPath = qgetenv("PATH");
        qputenv("PATH", bin.path().toLocal8Bit());
        const auto restorePath = qScopeGuard([&]() { qputenv("PATH", oldPath); });

        QTemporaryDir specDir;
        QVERIFY(specDir.isValid());
        FakeEngine engine([&](const QByteArray &line) { return docker292(line, specDir.path()); });
        QVERIFY(engine.listen());
        DockerClient client(engine.endpoint());
        GpuInventory inventory;
        Doctor doctor(&client, &inventory);
        QList<LaunchSpec> presets;
        if (cdiPreset) {
            LaunchSpec spec;
            spec.image = QStringLiteral("gpudeck-test:latest");
            spec.gpus = GpuSelection::ofDevices({QStringLiteral("0")});
            spec.deviceDriver = QStringLiteral("cdi");
            presets << spec;
        }
        doctor.run(presets);
        QTRY_VERIFY_WITH_TIMEOUT(doctor.isFinished(), 30000);

        // Its own line, between the CDI specifications and the images' CUDA.
        QStringList ids;
        for (const Doctor::Check &check : doctor.checks())
            ids << check.id;
        const qsizetype at = ids.indexOf(QStringLiteral("cdi-refresh"));
        QVERIFY2(at > 0 && ids.at(at - 1) == QLatin1String("cdi")
                     && ids.at(at + 1) == QLatin1String("cuda"),
                 qPrintable(ids.join(QLatin1Char(' '))));
        const QJsonObject check = checkById(doctor, QStringLiteral("cdi-refresh"));
        QTEST(check.value(QStringLiteral("status")).toString(), "status");
        QFETCH(QString, detail);
        QVERIFY2(check.value(QStringLiteral("detail")).toString().contains(detail),
                 qPrintable(check.value(QStringLiteral("detail")).toString()));
        QTEST(check.value(QStringLiteral("command")).toString(), "command");
        if (haveSystemctl) {
            // Both units, and only what the check reads.
            QFile args(bin.filePath(QStringLiteral("args")));
            QVERIFY(args.open(QIODevice::ReadOnly));
            QCOMPARE(args.readAll(),
                     QByteArray("show\n--property=Id,LoadState,ActiveState,SubState,"
                                "UnitFileState,Result\nnvidia-cdi-refresh.path\n"
                                "nvidia-cdi-refresh.service\n"));
        }
    }

    void engineBeyondOurApi()
    {
        // A Docker that accepts API 1.53 and newer only: the engine line is one sentence naming
        // both versions, and nothing else is asked of it.
        FakeEngine engine([](const QByteArray &line) {
            if (line.startsWith("GET /_ping"))
                return answer("200 OK", "1.54", "OK");
            return answer("400 Bad Request", "1.54",
                          R"({"message": "client version 1.)"
                              + QByteArray::number(DockerClient::kMaxApiMinor)
                              + R"( is too old. Minimum supported API version is 1.53, please )"
                                R"(upgrade your client to a newer version"})");
        });
        QVERIFY(engine.listen());
        DockerClient client(engine.endpoint());
        GpuInventory inventory;
        Doctor doctor(&client, &inventory);
        doctor.run();
        QTRY_VERIFY_WITH_TIMEOUT(doctor.isFinished(), 30000);
        const QJsonObject engineCheck = checkById(doctor, QStringLiteral("engine"));
        QCOMPARE(engineCheck.value(QStringLiteral("status")).toString(), QStringLiteral("fail"));
        const QString detail = engineCheck.value(QStringLiteral("detail")).toString();
        QVERIFY2(detail.contains(QLatin1String("accepts API 1.53 and newer"))
                     && detail.contains(
                         QStringLiteral("speaks at most API 1.%1").arg(DockerClient::kMaxApiMinor)),
                 qPrintable(detail));
        QVERIFY2(!detail.contains(QLatin1Char('{')), qPrintable(detail));
        QVERIFY2(engineCheck.value(QStringLiteral("fix"))
                     .toString()
                     .contains(QLatin1String("Update GPU Deck")),
                 qPrintable(engineCheck.value(QStringLiteral("fix")).toString()));
        QCOMPARE(checkById(doctor, QStringLiteral("gpu-request")).value(QStringLiteral("status")),
                 QJsonValue(QStringLiteral("skip")));
    }
};

QTEST_GUILESS_MAIN(TestNewestDoctor)
#include "tst_newestdoctor.moc"
