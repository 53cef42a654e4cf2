#pragma once

#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringView>
#include <QTextCharFormat>

// Turns a terminal's output into runs of formatted text. State (the current SGR format, an escape
// sequence or a carriage return cut off at the end of a chunk) carries over to the next chunk, so
// output may be fed in pieces of any size. Understood: SGR colours and attributes, \r, and the
// screen clears of full-screen redraws (ESC[H, ESC[2J, ESC c); other sequences are dropped.
class AnsiParser
{
public:
    struct Op
    {
        enum class Kind { Text, Newline, CarriageReturn, ClearScreen };
        Kind kind = Kind::Text;
        QString text;
        QTextCharFormat format;
    };

    explicit AnsiParser(const QTextCharFormat &base = {});

    void parse(QStringView text, QList<Op> &ops);
    // Follows the escape sequences in bytes without producing text: for output that is skipped
    // under a flood, so that the colours of what follows stay right.
    void skip(QByteArrayView bytes);
    void reset();

    const QTextCharFormat &format() const { return m_format; }
    static QColor paletteColor(int index); // 0..15: the 8 normal and 8 bright colours

private:
    enum class State { Text, Escape, Csi, Osc, OscEscape };

    void feedControl(QChar c, QList<Op> *ops, QString *run);
    void flushRun(QList<Op> *ops, QString *run);
    void dispatchCsi(QChar final, QList<Op> *ops, QString *run);
    void applySgr();

    QTextCharFormat m_base;
    QTextCharFormat m_format;
    State m_state = State::Text;
    QString m_params;
    bool m_pendingCr = false;
};
