//! A blocking ABCI client that talks like CometBFT's socket client
//! (`abci/client/socket_client.go`): every synchronous call is the request followed by a
//! `Flush`, written in one buffered write, and the caller waits for the `Flush` response.
//! Framing: each protobuf message preceded by its length as an unsigned varint.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use prost::Message;
use tendermint_proto::v0_38::abci::{request, response, Request, RequestFlush, Response};

/// A connected stream of either kind.
pub(crate) trait Stream: Read + Write + Send {}
impl<T: Read + Write + Send> Stream for T {}

/// One ABCI connection.
pub(crate) struct AbciClient {
    writer: Box<dyn Stream>,
    reader: BufReader<Box<dyn Stream>>,
    out: Vec<u8>,
    body: Vec<u8>,
}

const IO_TIMEOUT: Duration = Duration::from_secs(60);

impl AbciClient {
    /// Connects to a Unix socket, retrying for up to 5 s while the server starts.
    pub(crate) fn unix(path: &Path) -> Result<Self> {
        let stream =
            retry(|| UnixStream::connect(path)).with_context(|| format!("connecting to {}", path.display()))?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        let reader = stream.try_clone()?;
        Ok(Self::new(Box::new(stream), Box::new(reader)))
    }

    /// Connects over TCP with `TCP_NODELAY`, as Go's `net.Dial` (hence CometBFT) does by default.
    pub(crate) fn tcp(addr: &str) -> Result<Self> {
        let stream = retry(|| TcpStream::connect(addr)).with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        let reader = stream.try_clone()?;
        Ok(Self::new(Box::new(stream), Box::new(reader)))
    }

    fn new(writer: Box<dyn Stream>, reader: Box<dyn Stream>) -> Self {
        Self { writer, reader: BufReader::with_capacity(1 << 16, reader), out: Vec::new(), body: Vec::new() }
    }

    /// Sends `value` then `Flush` in one write and waits for both answers; returns the answer to
    /// `value` and the round-trip time (from before the write to after the Flush response).
    pub(crate) fn call(&mut self, value: request::Value) -> Result<(response::Value, Duration)> {
        self.out.clear();
        Request { value: Some(value) }.encode_length_delimited(&mut self.out)?;
        Request { value: Some(request::Value::Flush(RequestFlush {})) }.encode_length_delimited(&mut self.out)?;
        let start = Instant::now();
        self.writer.write_all(&self.out).context("writing the request")?;
        let answer = self.read()?;
        let flush = self.read()?;
        let elapsed = start.elapsed();
        if !matches!(flush, response::Value::Flush(_)) {
            bail!("expected the Flush response, got {}", name(&flush));
        }
        if let response::Value::Exception(e) = &answer {
            bail!("the server answered with an exception: {}", e.error);
        }
        Ok((answer, elapsed))
    }

    fn read(&mut self) -> Result<response::Value> {
        let length = read_varint(&mut self.reader)?;
        let length = usize::try_from(length).context("response length")?;
        self.body.resize(length, 0);
        self.reader.read_exact(&mut self.body).context("reading a response body")?;
        let response = Response::decode(self.body.as_slice()).context("decoding a response")?;
        response.value.context("an empty response")
    }
}

/// Reads a response's length prefix (an unsigned varint).
pub(crate) fn read_varint(reader: &mut impl BufRead) -> Result<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let mut byte = [0u8; 1];
        reader.read_exact(&mut byte).context("reading a response length (did the server close the connection?)")?;
        value |= u64::from(byte[0] & 0x7F) << shift;
        if byte[0] & 0x80 == 0 {
            return Ok(value);
        }
    }
    bail!("response length prefix longer than 10 bytes")
}

fn retry<T>(mut connect: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match connect() {
            Ok(stream) => return Ok(stream),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

/// The variant name of a response, for error messages.
pub(crate) fn name(value: &response::Value) -> String {
    let text = format!("{value:?}");
    text.split(['(', ' ', '{']).next().unwrap_or("?").to_string()
}
