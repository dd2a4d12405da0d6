//! A minimal SMTP server for tests, speaking the protocol over TCP.
#![allow(dead_code)]

use certidesk::mailer::Mailer;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the test's SMTP server answers the recipient.
#[derive(Clone, Copy)]
pub enum Answer {
    Accept,
    TryLater,
    Reject,
}

/// A minimal SMTP server speaking the protocol over TCP. Keeps every accepted message's data.
pub struct SmtpServer {
    pub port: u16,
    received: Arc<Mutex<Vec<String>>>,
}

impl SmtpServer {
    pub async fn start(answer: Answer) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, answer)
    }

    pub fn serve(listener: TcpListener, answer: Answer) -> SmtpServer {
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let store = received.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let store = store.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 test.smtp ready\r\n").await.unwrap();
                    let mut data: Option<String> = None;
                    while let Ok(Some(line)) = lines.next_line().await {
                        if let Some(body) = data.as_mut() {
                            if line == "." {
                                store.lock().unwrap().push(data.take().unwrap());
                                write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                            } else {
                                body.push_str(&line);
                                body.push('\n');
                            }
                            continue;
                        }
                        let command = line.to_ascii_uppercase();
                        let reply: &[u8] =
                            if command.starts_with("EHLO") || command.starts_with("HELO") {
                                b"250-test.smtp\r\n250 8BITMIME\r\n"
                            } else if command.starts_with("MAIL FROM") {
                                b"250 2.1.0 ok\r\n"
                            } else if command.starts_with("RCPT TO") {
                                match answer {
                                    Answer::Accept => b"250 2.1.5 ok\r\n",
                                    Answer::TryLater => b"451 4.3.0 try again later\r\n",
                                    Answer::Reject => b"550 5.1.1 no such user\r\n",
                                }
                            } else if command.starts_with("DATA") {
                                data = Some(String::new());
                                b"354 go ahead\r\n"
                            } else if command.starts_with("QUIT") {
                                let _ = write.write_all(b"221 bye\r\n").await;
                                return;
                            } else {
                                b"250 ok\r\n"
                            };
                        if write.write_all(reply).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        SmtpServer { port, received }
    }

    pub fn mailer(&self) -> Mailer {
        Mailer::from_url(
            &format!("smtp://127.0.0.1:{}", self.port),
            "Certidesk <no-reply@certidesk.test>".parse().unwrap(),
        )
        .unwrap()
    }

    pub fn messages(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}
