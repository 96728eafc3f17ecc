// streamtide talks to TCP/uTP peers only; WebRTC would need the native node-datachannel.
function unavailable() {
  throw new Error('WebRTC is not available in streamtide (webrtc-polyfill is stubbed out)');
}
export class RTCPeerConnection { constructor() { unavailable(); } }
export class RTCSessionDescription { constructor() { unavailable(); } }
export class RTCIceCandidate { constructor() { unavailable(); } }
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate };
