#include "widgets/StatusColors.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QPalette>
#include <QRegularExpression>
#include <QTest>

// Error, warning and ok colours come from the palette and read on light and dark themes alike.
class TestStatusColors : public QObject
{
    Q_OBJECT

private:
    static QPalette themed(const QColor &window, const QColor &base, const QColor &text)
    {
        QPalette p;
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::WindowText, text);
        return p;
    }

private slots:
    void readableOnEveryTheme_data()
    {
        QTest::addColumn<QPalette>("palette");
        QTest::newRow("light (Fusion)") << themed(QColor(0xef, 0xef, 0xef), Qt::white, Qt::black);
        QTest::newRow("dark (Breeze Dark)")
            << themed(QColor(0x20, 0x23, 0x26), QColor(0x14, 0x16, 0x18), QColor(0xfc, 0xfc, 0xfc));
        QTest::newRow("black") << themed(Qt::black, Qt::black, Qt::white);
        QTest::newRow("mid grey") << themed(QColor(0x80, 0x80, 0x80), QColor(0x90, 0x90, 0x90),
                                            Qt::black);
    }

    void readableOnEveryTheme()
    {
        QFETCH(QPalette, palette);
        using StatusColors::Tone;
        for (Tone tone : {Tone::Error, Tone::Warning, Tone::Ok}) {
            const QColor c = StatusColors::text(tone, palette);
            const double onWindow = StatusColors::contrast(c, palette.color(QPalette::Window));
            const double onBase = StatusColors::contrast(c, palette.color(QPalette::Base));
            // WCAG AA asks 4.5:1; a mid-grey theme leaves less room, 3:1 is AA for large text.
            const double needed = palette.color(QPalette::Window).lightness() == 0x80 ? 3.0 : 4.5;
            QVERIFY2(onWindow >= needed && onBase >= needed,
                     qPrintable(QStringLiteral("%1: %2 on window, %3 on base")
                                    .arg(c.name())
                                    .arg(onWindow)
                                    .arg(onBase)));
            // The text stays readable on the tint.
            const QColor tint = StatusColors::tint(tone, palette);
            QVERIFY(StatusColors::contrast(palette.color(QPalette::Text), tint) >= 4.5);
        }
        // The three tones can be told apart.
        QVERIFY(StatusColors::text(Tone::Error, palette) != StatusColors::text(Tone::Ok, palette));
        QVERIFY(StatusColors::text(Tone::Error, palette)
                != StatusColors::text(Tone::Warning, palette));
    }

    void followsTheWidgetsPalette()
    {
        QLabel label;
        label.setPalette(themed(Qt::black, Qt::black, Qt::white));
        const QString dark = StatusColors::styleSheet(StatusColors::Tone::Error, &label);
        label.setPalette(themed(Qt::white, Qt::white, Qt::black));
        const QString light = StatusColors::styleSheet(StatusColors::Tone::Error, &label);
        QVERIFY(dark.startsWith(QLatin1String("color: #")));
        QVERIFY2(dark != light, qPrintable(dark));
    }

    // No hard-coded colour is left in the widgets' style sheets and formats: StatusColors is the
    // one place. (The ANSI colours of the log are the terminal's own palette.)
    void noHardCodedColours()
    {
        const QStringList exempt = {QStringLiteral("StatusColors.cpp"),
                                    QStringLiteral("AnsiParser.cpp")};
        const QRegularExpression colour(QStringLiteral(R"(#[0-9a-fA-F]{6}\b|QColor\(0x)"));
        QStringList found;
        QDirIterator it(QStringLiteral(GPUDECK_SOURCE_DIR "/ui"), {QStringLiteral("*.cpp")},
                        QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            if (exempt.contains(QFileInfo(path).fileName()))
                continue;
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            int line = 0;
            while (!file.atEnd()) {
                ++line;
                const QString text = QString::fromUtf8(file.readLine());
                if (colour.match(text).hasMatch())
                    found.append(QStringLiteral("%1:%2: %3")
                                     .arg(QFileInfo(path).fileName())
                                     .arg(line)
                                     .arg(text.trimmed()));
            }
        }
        QVERIFY2(found.isEmpty(), qPrintable(found.join(QLatin1Char('\n'))));
    }
};

QTEST_MAIN(TestStatusColors)
#include "tst_statuscolors.moc"
