// Published ports in the window, offscreen, against the real sandboxed dockerd (and, as
// ui_portlinks.ssh, through the test sshd): the launch form's port rows (this machine only by
// default, all interfaces as a visible choice, problems flagged at the field), and a log tab whose
// container prints a Jupyter-style URL: the URL becomes a link to the published host port (over
// ssh, to the local end of the forward), which answers, and the tab's header lists it.
#include "Await.h"
#include "TestEngine.h"

#include "launch/LaunchForm.h"
#include "log/ContainerLogPage.h"

#include "engine/DockerClient.h"
#include "launch/Launcher.h"
#include "launch/PortLinks.h"

#include <QComboBox>
#include <QLabel>
#include <QMouseEvent>
#include <QPlainTextEdit>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTcpSocket>
#include <QTest>
#include <QTextBlock>
#include <QTextCursor>
#include <QToolButton>

class TestPortLinks : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void formPortRows();
    void printedUrlBecomesLink();

private:
    std::unique_ptr<DockerClient> m_client;
    QString m_network;
};

void TestPortLinks::initTestCase()
{
    GPUDECK_REQUIRE_ENGINE();
    m_client = std::make_unique<DockerClient>(
        EndpointResolver::resolve(TestEngine::host()).value());
    m_network = QStringLiteral("gpudeck-ui-ports-%1").arg(QCoreApplication::applicationPid());
    const QByteArray problem = TestEngine::createNetwork(m_network);
    QVERIFY2(problem.isEmpty(), problem.constData());
}

void TestPortLinks::cleanupTestCase()
{
    if (!m_network.isEmpty())
        TestEngine::docker({QStringLiteral("network"), QStringLiteral("rm"), m_network});
}

void TestPortLinks::formPortRows()
{
    LaunchForm form;
    form.show();
    auto *table = form.findChild<QTableWidget *>(QStringLiteral("portTable"));
    auto *add = form.findChild<QToolButton *>(QStringLiteral("portAdd"));
    QVERIFY(table && add);

    // A new row publishes on this machine only.
    QTest::mouseClick(add, Qt::LeftButton);
    QCOMPARE(table->rowCount(), 1);
    auto *where = qobject_cast<QComboBox *>(table->cellWidget(0, 2));
    QVERIFY(where);
    QCOMPARE(where->currentData().toString(), QStringLiteral("127.0.0.1"));
    table->item(0, 0)->setText(QStringLiteral("8888"));
    table->item(0, 1)->setText(QStringLiteral("8888"));
    LaunchSpec spec;
    QList<ValidationIssue> issues;
    form.fillSpec(&spec, &issues);
    QCOMPARE(spec.ports, QStringList{QStringLiteral("127.0.0.1:8888:8888")});

    // All interfaces is one visible choice away.
    const int all = where->findData(QString());
    QVERIFY(all >= 0);
    QVERIFY(where->itemText(all).contains(QLatin1String("all interfaces")));
    where->setCurrentIndex(all);
    form.fillSpec(&spec, &issues);
    QCOMPARE(spec.ports, QStringList{QStringLiteral("8888:8888")});

    // A preset's entries come back as rows, and go out unchanged.
    LaunchSpec loaded;
    loaded.image = QStringLiteral("busybox");
    loaded.ports = {QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("6006"),
                    QStringLiteral("[::1]::9000-9001/udp"), QStringLiteral("8000-8010:80")};
    form.setSpec(loaded);
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->item(2, 0)->text(), QStringLiteral("9000-9001/udp"));
    LaunchSpec back;
    form.fillSpec(&back, &issues);
    QCOMPARE(back.ports,
             (QStringList{QStringLiteral("127.0.0.1:8888:8888"), QStringLiteral("6006"),
                          QStringLiteral("[::1]::9000-9001/udp"), QStringLiteral("8000-8010:80")}));
    QVERIFY(issues.isEmpty());

    // A problem is flagged at the field, with the validator's sentence.
    table->item(1, 0)->setText(QStringLiteral("70000")); // an edit: the field counts as touched
    form.fillSpec(&back, &issues);
    const QList<ValidationIssue> problems = back.validate();
    QCOMPARE(problems.size(), 1);
    form.showIssues(problems, false);
    QCOMPARE(table->toolTip(), problems.first().message);
    auto *label = form.findChild<QLabel *>(QStringLiteral("formIssues"));
    QVERIFY(label && label->isVisible());
    QVERIFY(label->text().contains(QLatin1String("out of range")));
}

void TestPortLinks::printedUrlBecomesLink()
{
    LaunchSpec spec;
    spec.image = QStringLiteral("gpudeck-test:latest");
    spec.command = {
        QStringLiteral("sh"), QStringLiteral("-c"),
        QStringLiteral(
            "mkdir -p /www/lab && echo notebook > /www/lab/index.html && "
            "echo \"    To access the server, open http://$(hostname):8888/lab?token=f00d\" && "
            "echo '     or http://127.0.0.1:8888/lab?token=f00d' && "
            "httpd -f -p 8888 -h /www & trap 'kill $!; exit 0' TERM; wait")};
    spec.networkMode = m_network;
    spec.ports = {QStringLiteral("127.0.0.1::8888")};
    ContainerLogPage page(m_client.get(), spec);
    page.resize(900, 400);
    page.show();
    page.start();
    const auto removeContainer = qScopeGuard([&page]() {
        if (!page.launcher()->containerId().isEmpty())
            TestEngine::docker(
                {QStringLiteral("rm"), QStringLiteral("-f"), page.launcher()->containerId()});
    });

    QTRY_VERIFY_WITH_TIMEOUT(page.portLinks() && page.portLinks()->isReady(), 60000);
    QCOMPARE(page.portLinks()->links().size(), 1);
    const PortLinks::Link link = page.portLinks()->links().first();
    QCOMPARE(link.forwarded, TestEngine::isRemote());

    // Both printed URLs (the container's host name, and loopback) point at the published port.
    QUrl expected = link.url;
    expected.setPath(QStringLiteral("/lab"));
    expected.setQuery(QStringLiteral("token=f00d"));
    QPlainTextEdit *text = page.textEdit();
    const auto anchors = [text]() {
        QStringList hrefs;
        for (QTextBlock block = text->document()->begin(); block.isValid(); block = block.next()) {
            for (auto it = block.begin(); !it.atEnd(); ++it) {
                if (it.fragment().charFormat().isAnchor())
                    hrefs << it.fragment().charFormat().anchorHref();
            }
        }
        return hrefs;
    };
    QTRY_COMPARE_WITH_TIMEOUT(anchors(), (QStringList{expected.toString(), expected.toString()}),
                              30000);
    // The linked text is the URL as printed, and a click there finds the link.
    const QString printed = QStringLiteral("http://127.0.0.1:8888/lab?token=f00d");
    const int at = int(text->toPlainText().indexOf(printed));
    QVERIFY(at > 0);
    QTextCursor cursor(text->document());
    cursor.setPosition(at + 5);
    const QPoint onLink = text->cursorRect(cursor).center();
    QCOMPARE(text->anchorAt(onLink), expected.toString());
    // Hovering it says where it goes (the printed text names the container's port).
    QMouseEvent move(QEvent::MouseMove, onLink, text->viewport()->mapToGlobal(onLink), Qt::NoButton,
                     Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(text->viewport(), &move);
    QCOMPARE(text->viewport()->toolTip(), QStringLiteral("Opens ") + expected.toString());

    // The header lists the published port as a link.
    QLabel *header = page.portsLabel();
    QVERIFY(header->isVisible());
    QVERIFY2(header->text().contains(QStringLiteral("href=\"%1\"").arg(link.url.toString())),
             qPrintable(header->text()));
    QVERIFY(header->text().contains(
        QStringLiteral("8888/tcp → 127.0.0.1:%1").arg(link.published.hostPort)));

    // The link opens the notebook's page.
    QByteArray reply;
    QTRY_VERIFY_WITH_TIMEOUT(([&]() {
                                 QTcpSocket socket;
                                 socket.connectToHost(expected.host(), quint16(expected.port()));
                                 if (!socket.waitForConnected(2000))
                                     return false;
                                 socket.write("GET /lab/ HTTP/1.0\r\n\r\n");
                                 reply.clear();
                                 while (socket.waitForReadyRead(3000))
                                     reply += socket.readAll();
                                 return reply.contains("notebook");
                             }()),
                             30000);

    // The links go with the container.
    page.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!page.isActive(), 30000);
    QVERIFY(header->text().contains(QLatin1String("closed")));
}

QTEST_MAIN(TestPortLinks)
#include "tst_portlinks.moc"
